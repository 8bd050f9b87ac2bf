/*
 * The supervisor: powers the virtual ESP8266 on, runs one boot per child
 * process (ROM stage -> bootloader -> app, each exec'd from flash bytes),
 * turns the way a boot ended into the next reset cause, and relays the
 * console (UART0) while watching for the stop marker.
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "sim_device.h"

static uint64_t now_ns(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (uint64_t)t.tv_sec * 1000000000ull + (uint64_t)t.tv_nsec;
}

typedef struct {
    FILE *console;
    const char *until;
    char line[4096];
    size_t fill;
    bool until_seen;
} relay_t;

/* True when line contains one of the markers in until ('\n' separates them). */
static bool line_has_marker(const char *line, const char *until)
{
    while (until && *until) {
        const char *end = strchr(until, '\n');
        size_t n = end ? (size_t)(end - until) : strlen(until);
        for (const char *p = line; n > 0 && *p; p++) {
            if (strncmp(p, until, n) == 0) {
                return true;
            }
        }
        until = end ? end + 1 : NULL;
    }
    return false;
}

/* Forwards device output line by line; a line is checked for the marker once complete. */
static void relay_bytes(relay_t *r, const char *buf, size_t n)
{
    fwrite(buf, 1, n, r->console);
    fflush(r->console);
    for (size_t i = 0; i < n; i++) {
        if (buf[i] == '\n' || r->fill == sizeof r->line - 1) {
            r->line[r->fill] = '\0';
            if (line_has_marker(r->line, r->until)) {
                r->until_seen = true;
            }
            r->fill = 0;
        } else {
            r->line[r->fill++] = buf[i];
        }
    }
}

static void boot_child(const sim_run_opts_t *o, sim_flash_t *flash, sim_state_t *st, int out_fd)
{
    dup2(out_fd, STDOUT_FILENO);
    dup2(out_fd, STDERR_FILENO);
    close(out_fd);
    (void)o;
    _exit(sim_rom_boot(flash, st));
}

/* The watchdog timeout in real ns for this run (0 = off): the virtual
 * timeout through the time scale, never below SIM_WDT_MIN_REAL_MS. */
static uint64_t wdt_timeout_ns(const sim_run_opts_t *o, const sim_state_t *st)
{
    if (o->wdt_ms == SIM_WDT_OFF) {
        return 0;
    }
    uint64_t ms = o->wdt_ms ? o->wdt_ms : SIM_WDT_DEFAULT_MS;
    uint64_t real_us = ms * 1000000u / (st->time_scale_x1000 ? st->time_scale_x1000 : 1000u);
    if (real_us < SIM_WDT_MIN_REAL_MS * 1000u) {
        real_us = SIM_WDT_MIN_REAL_MS * 1000u;
    }
    return real_us * 1000u;
}

/* Real ns since the app last fed the watchdog; 0 while it is not armed. */
static uint64_t wdt_starving_ns(const sim_state_t *st)
{
    uint64_t fed = __atomic_load_n(&st->wdt_fed_ns, __ATOMIC_ACQUIRE);
    uint64_t now = now_ns();
    return (fed && now > fed) ? now - fed : 0;
}

/* How often the supervisor looks at the watchdog while an app runs. */
#define WDT_POLL_MS 20

/* The watchdog fired: the chip resets. The app's last output is relayed first. */
static int wdt_reset(pid_t pid, int out_fd, const sim_state_t *st, uint64_t starved_ns,
                     relay_t *r)
{
    kill(pid, SIGKILL);
    char buf[4096];
    ssize_t n;
    while ((n = read(out_fd, buf, sizeof buf)) > 0) {
        relay_bytes(r, buf, (size_t)n);
    }
    int status;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    fprintf(stderr,
            "[ota8266] boot %u: hardware watchdog reset: the app has not fed the watchdog for "
            "%llu ms (real time); the chip resets\n",
            (unsigned)st->boot_count, (unsigned long long)(starved_ns / 1000000u));
    return W_EXITCODE(SIM_EXIT_WDT, 0);
}

/* Runs one boot; returns its wait status, or -1 when stopped by marker or timeout. */
static int run_one_boot(const sim_run_opts_t *o, sim_flash_t *flash, sim_state_t *st, relay_t *r,
                        uint64_t deadline_ns, sim_run_result_t *res)
{
    int pfd[2];
    if (pipe(pfd) < 0) {
        return -2;
    }
    fflush(NULL);
    uint64_t wdt_ns = wdt_timeout_ns(o, st);
    __atomic_store_n(&st->wdt_fed_ns, 0, __ATOMIC_RELEASE); /* armed by the app, not before */
    pid_t pid = fork();
    if (pid < 0) {
        return -2;
    }
    if (pid == 0) {
        close(pfd[0]);
        boot_child(o, flash, st, pfd[1]);
    }
    close(pfd[1]);
    bool stop = false;
    for (;;) {
        int wait_ms = -1;
        if (deadline_ns) {
            uint64_t now = now_ns();
            wait_ms = now >= deadline_ns ? 0 : (int)((deadline_ns - now) / 1000000ull) + 1;
        }
        if (wdt_ns && (wait_ms < 0 || wait_ms > WDT_POLL_MS)) {
            wait_ms = WDT_POLL_MS;
        }
        struct pollfd p = {.fd = pfd[0], .events = POLLIN};
        int pr = poll(&p, 1, wait_ms);
        if (pr < 0 && errno == EINTR) {
            continue;
        }
        uint64_t starved = wdt_ns ? wdt_starving_ns(st) : 0;
        if (starved > wdt_ns) {
            int status = wdt_reset(pid, pfd[0], st, starved, r);
            close(pfd[0]);
            return status;
        }
        if (pr == 0) {
            if (!deadline_ns || now_ns() < deadline_ns) {
                continue; /* only the watchdog's look */
            }
            res->timed_out = true;
            stop = true;
            break;
        }
        char buf[4096];
        ssize_t n = read(pfd[0], buf, sizeof buf);
        if (n <= 0) {
            break; /* every stage of this boot has exited */
        }
        relay_bytes(r, buf, (size_t)n);
        if (r->until_seen) {
            stop = true;
            break;
        }
    }
    close(pfd[0]);
    if (stop) {
        kill(pid, SIGKILL);
    }
    int status = 0;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    return stop ? -1 : status;
}

static void apply_options(const sim_run_opts_t *o, sim_state_t *st)
{
    st->strict = o->strict;
    st->seed = o->seed;
    st->n_cuts = o->n_cuts;
    memcpy(st->cuts, o->cuts, sizeof st->cuts);
    st->time_scale_x1000 = (uint32_t)(o->time_scale > 0 ? o->time_scale * 1000.0 : 1000.0);
    st->color = o->color >= 0 ? o->color : isatty(fileno(o->console ? o->console : stdout));
    st->timestamps = o->timestamps;
    st->heap_limit = o->heap_limit;
    st->n_net_maps = o->n_net_maps;
    memcpy(st->net_map_from, o->net_map_from, sizeof st->net_map_from);
    memcpy(st->net_map_to, o->net_map_to, sizeof st->net_map_to);
    if (o->ap_ssid) {
        st->ap_enabled = 1;
        snprintf(st->ap_ssid, sizeof st->ap_ssid, "%s", o->ap_ssid);
        snprintf(st->ap_password, sizeof st->ap_password, "%s", o->ap_password ? o->ap_password : "");
    }
}

/* Sets the next boot's reset cause from the way this one ended; false = stop. */
static bool account_exit(int status, sim_state_t *st, sim_run_result_t *res)
{
    int code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    if (WIFSIGNALED(status) || code == SIM_EXIT_PANIC) {
        res->panics++;
        st->rst_cause = SIM_RST_EXTERNAL;
        st->reset_reason = SIM_REASON_PANIC;
        fprintf(stderr, "[ota8266] boot %u ended by a crash (%s): the chip resets\n",
                (unsigned)st->boot_count,
                WIFSIGNALED(status) ? strsignal(WTERMSIG(status)) : "panic");
        return true;
    }
    switch (code) {
    case SIM_EXIT_RESTART:
        res->restarts++;
        st->rst_cause = SIM_RST_EXTERNAL;
        st->reset_reason = SIM_REASON_SW;
        return true;
    case SIM_EXIT_POWER_CUT:
        res->power_cuts++;
        st->rst_cause = SIM_RST_POWER_ON;
        st->reset_reason = SIM_REASON_POWERON;
        st->rtc_valid = 0; /* RTC memory does not survive a power loss */
        memset(st->rtc_mem, 0, sizeof st->rtc_mem);
        fprintf(stderr, "[ota8266] power cut before flash operation %llu; powering on again\n",
                (unsigned long long)st->counters.modify_ops + 1);
        return true;
    case SIM_EXIT_WDT:
        res->wdt_resets++;
        st->rst_cause = SIM_RST_WDT;
        st->reset_reason = SIM_REASON_WDT;
        return true;
    default:
        res->halted = true;
        fprintf(stderr, "[ota8266] the device stopped (nothing left to run, exit %d)\n", code);
        return false;
    }
}

int sim_device_run(const sim_run_opts_t *o, sim_run_result_t *res)
{
    memset(res, 0, sizeof *res);
    int st_fd;
    sim_state_t *st = sim_state_create(o->flash_size, &st_fd);
    if (!st) {
        fprintf(stderr, "[ota8266] cannot create the device state\n");
        return -1;
    }
    apply_options(o, st);
    sim_flash_t flash;
    if (sim_flash_open(&flash, o->chip_path, o->flash_size, false, st) != ESP_OK) {
        fprintf(stderr, "[ota8266] %s\n", flash.last_error);
        sim_state_release(st);
        return -1;
    }
    char fdtext[16];
    snprintf(fdtext, sizeof fdtext, "%d", st_fd);
    setenv("OTA8266_STATE_FD", fdtext, 1);

    relay_t relay = {.console = o->console ? o->console : stdout, .until = o->until};
    uint64_t deadline = o->timeout_s > 0 ? now_ns() + (uint64_t)(o->timeout_s * 1e9) : 0;
    st->rst_cause = SIM_RST_POWER_ON;
    st->reset_reason = SIM_REASON_POWERON;
    st->power_on_ns = now_ns();
    for (;;) {
        st->boot_count++;
        st->boot_t0_ns = now_ns();
        res->boots++;
        int status = run_one_boot(o, &flash, st, &relay, deadline, res);
        if (status == -2) {
            fprintf(stderr, "[ota8266] cannot start the device: %s\n", strerror(errno));
            break;
        }
        if (status == -1 || !account_exit(status, st, res)) {
            break;
        }
        if (o->stop_at_power_cut && res->power_cuts > 0) {
            break;
        }
        if (o->max_boots && res->boots >= o->max_boots) {
            break;
        }
    }
    res->until_seen = relay.until_seen;
    res->counters = st->counters;
    if (o->op_trace) {
        memcpy(o->op_trace, st->op_trace, sizeof st->op_trace);
    }
    if (o->stats) {
        sim_flash_print_stats(st, relay.console);
        fflush(relay.console);
    }
    unsetenv("OTA8266_STATE_FD");
    sim_flash_close(&flash);
    sim_state_release(st);
    close(st_fd);
    return 0;
}
