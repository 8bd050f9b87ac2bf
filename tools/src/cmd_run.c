/* `ota8266 run`: power on the virtual ESP8266 and let its boot chain run. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "commands.h"
#include "sim_device.h"

#define RUN_EXIT_HALTED 3
#define RUN_EXIT_TIMEOUT 4

static void run_help(void)
{
    printf("usage: ota8266 run --chip FILE [options]\n"
           "Powers on the virtual ESP8266: the ROM stage runs the bootloader from flash 0x0,\n"
           "which runs the app it selects from that app's flash bytes. Resets re-enter the ROM.\n\n"
           "  --chip FILE           flash image of the virtual chip (required)\n"
           "  --flash-size SIZE     chip size: 1MB, 2MB, 4MB (default), 8MB, 16MB\n"
           "  --boots N             stop after N boots (default: no limit)\n"
           "  --until TEXT          stop as soon as a console line contains TEXT\n"
           "  --timeout SEC         stop after SEC real seconds (default 60; 0 = none)\n"
           "  --time-scale X        virtual time runs X times faster (default 1)\n"
           "  --ap SSID:PASSWORD    start the virtual access point\n"
           "  --net-map PORT=HOSTPORT  the device's connections to PORT go to the host's\n"
           "                        HOSTPORT (repeatable)\n"
           "  --heap-limit BYTES    heap budget of the device (K/M suffixes)\n"
           "  --wdt-ms MS           hardware watchdog timeout in device time (default 1600;\n"
           "                        0 = off); an app that stays in a critical section this\n"
           "                        long is reset with rst cause 4. Never below 500 ms real.\n"
           "  --cut-at K            cut power before flash write/erase number K (repeatable;\n"
           "                        counted across resets from power-on)\n"
           "  --cut-kind KIND       clean, torn-write, torn-bits, torn-late, torn-erase,\n"
           "                        erase-random (applies to the --cut-at options before it;\n"
           "                        default clean)\n"
           "  --seed N              seed for torn contents (default 1)\n"
           "  --strict              a 0->1 flash write is an error\n"
           "  --color / --no-color  ESP log colours (default: only on a terminal)\n"
           "  --stats               print flash operation counters at the end\n"
           "  --timestamps          prefix each console line with the host time since\n"
           "                        power-on, in seconds to the microsecond\n\n"
           "exit status: 0 stopped by --boots or --until, 3 the device halted (nothing\n"
           "bootable), 4 --timeout reached, 1 could not start, 2 bad arguments\n");
}

enum { OPT_CHIP = 1000, OPT_SIZE, OPT_BOOTS, OPT_UNTIL, OPT_TIMEOUT, OPT_SCALE, OPT_AP,
       OPT_HEAP, OPT_CUT_AT, OPT_CUT_KIND, OPT_SEED, OPT_STRICT, OPT_COLOR, OPT_NO_COLOR,
       OPT_STATS, OPT_HELP, OPT_NET_MAP, OPT_WDT, OPT_TIMESTAMPS };

static const struct option s_opts[] = {
    {"chip", required_argument, 0, OPT_CHIP},       {"flash-size", required_argument, 0, OPT_SIZE},
    {"boots", required_argument, 0, OPT_BOOTS},     {"until", required_argument, 0, OPT_UNTIL},
    {"timeout", required_argument, 0, OPT_TIMEOUT}, {"time-scale", required_argument, 0, OPT_SCALE},
    {"ap", required_argument, 0, OPT_AP},           {"heap-limit", required_argument, 0, OPT_HEAP},
    {"cut-at", required_argument, 0, OPT_CUT_AT},   {"cut-kind", required_argument, 0, OPT_CUT_KIND},
    {"seed", required_argument, 0, OPT_SEED},       {"strict", no_argument, 0, OPT_STRICT},
    {"color", no_argument, 0, OPT_COLOR},           {"no-color", no_argument, 0, OPT_NO_COLOR},
    {"stats", no_argument, 0, OPT_STATS},           {"help", no_argument, 0, OPT_HELP},
    {"net-map", required_argument, 0, OPT_NET_MAP}, {"wdt-ms", required_argument, 0, OPT_WDT},
    {"timestamps", no_argument, 0, OPT_TIMESTAMPS},
    {0, 0, 0, 0},
};

static bool parse_double(const char *s, double *out)
{
    char *end;
    *out = strtod(s, &end);
    return end != s && *end == '\0' && *out >= 0;
}

static int parse_run_args(int argc, char **argv, sim_run_opts_t *o, char *ap_buf, size_t ap_len)
{
    const char *cmd = argv[0];
    uint32_t kinds_applied = 0;
    uint32_t v;
    optind = 1;
    opterr = 0;
    int c;
    while ((c = getopt_long(argc, argv, "", s_opts, NULL)) != -1) {
        switch (c) {
        case OPT_CHIP: o->chip_path = optarg; break;
        case OPT_SIZE:
            if (!(o->flash_size = sim_parse_flash_size(optarg))) {
                return cli_usage_error(cmd, "--flash-size '%s': use 1MB, 2MB, 4MB, 8MB or 16MB", optarg);
            }
            break;
        case OPT_BOOTS:
            if (!cli_parse_u32(optarg, &o->max_boots) || !o->max_boots) {
                return cli_usage_error(cmd, "--boots '%s': expected a count >= 1", optarg);
            }
            break;
        case OPT_UNTIL: o->until = optarg; break;
        case OPT_TIMEOUT:
            if (!parse_double(optarg, &o->timeout_s)) {
                return cli_usage_error(cmd, "--timeout '%s': expected seconds", optarg);
            }
            break;
        case OPT_SCALE:
            if (!parse_double(optarg, &o->time_scale) || o->time_scale <= 0) {
                return cli_usage_error(cmd, "--time-scale '%s': expected a factor > 0", optarg);
            }
            break;
        case OPT_AP: {
            snprintf(ap_buf, ap_len, "%s", optarg);
            char *colon = strchr(ap_buf, ':');
            if (!colon || colon == ap_buf || colon - ap_buf > 32 || strlen(colon + 1) > 64) {
                return cli_usage_error(cmd, "--ap '%s': expected SSID:PASSWORD (SSID 1-32, password 0-64 chars)", optarg);
            }
            *colon = '\0';
            o->ap_ssid = ap_buf;
            o->ap_password = colon + 1;
            break;
        }
        case OPT_NET_MAP: {
            unsigned from, to;
            char junk;
            if (o->n_net_maps == SIM_MAX_NET_MAPS ||
                sscanf(optarg, "%u=%u%c", &from, &to, &junk) != 2 || !from || !to ||
                from > 65535 || to > 65535) {
                return cli_usage_error(cmd, "--net-map '%s': expected PORT=HOSTPORT (at most %d)",
                                       optarg, SIM_MAX_NET_MAPS);
            }
            o->net_map_from[o->n_net_maps] = (uint16_t)from;
            o->net_map_to[o->n_net_maps++] = (uint16_t)to;
            break;
        }
        case OPT_WDT:
            if (!cli_parse_u32(optarg, &v) || v == SIM_WDT_OFF) {
                return cli_usage_error(cmd, "--wdt-ms '%s': expected milliseconds (0 = off)", optarg);
            }
            o->wdt_ms = v ? v : SIM_WDT_OFF;
            break;
        case OPT_HEAP:
            if (!cli_parse_u32(optarg, &o->heap_limit)) {
                return cli_usage_error(cmd, "--heap-limit '%s': expected bytes", optarg);
            }
            break;
        case OPT_CUT_AT:
            if (o->n_cuts == SIM_MAX_CUTS) {
                return cli_usage_error(cmd, "at most %d --cut-at options", SIM_MAX_CUTS);
            }
            if (!cli_parse_u32(optarg, &v) || !v) {
                return cli_usage_error(cmd, "--cut-at '%s': expected an operation number >= 1", optarg);
            }
            o->cuts[o->n_cuts].at_op = v;
            o->cuts[o->n_cuts++].kind = SIM_CUT_CLEAN;
            break;
        case OPT_CUT_KIND: {
            int k = sim_cut_kind_parse(optarg);
            if (k < 0) {
                return cli_usage_error(cmd, "--cut-kind '%s': use clean, torn-write, torn-bits, torn-late, torn-erase or erase-random", optarg);
            }
            if (kinds_applied == o->n_cuts) {
                return cli_usage_error(cmd, "--cut-kind must follow a --cut-at");
            }
            for (; kinds_applied < o->n_cuts; kinds_applied++) {
                o->cuts[kinds_applied].kind = (uint32_t)k;
            }
            break;
        }
        case OPT_SEED:
            if (!cli_parse_u32(optarg, &v)) {
                return cli_usage_error(cmd, "--seed '%s': expected a number", optarg);
            }
            o->seed = v;
            break;
        case OPT_STRICT: o->strict = true; break;
        case OPT_COLOR: o->color = 1; break;
        case OPT_NO_COLOR: o->color = 0; break;
        case OPT_STATS: o->stats = true; break;
        case OPT_TIMESTAMPS: o->timestamps = true; break;
        case OPT_HELP: run_help(); return -1;
        default:
            return cli_usage_error(cmd, "unknown or incomplete option '%s' (see --help)", argv[optind - 1]);
        }
    }
    if (optind < argc) {
        return cli_usage_error(cmd, "unexpected argument '%s'", argv[optind]);
    }
    if (!o->chip_path) {
        return cli_usage_error(cmd, "--chip FILE is required");
    }
    return 0;
}

int cmd_run(int argc, char **argv)
{
    static char ap_buf[128];
    sim_run_opts_t o = {.flash_size = 4u << 20, .time_scale = 1.0, .timeout_s = 60.0,
                        .color = -1, .seed = 1};
    int rc = parse_run_args(argc, argv, &o, ap_buf, sizeof ap_buf);
    if (rc != 0) {
        return rc < 0 ? 0 : rc;
    }
    sim_run_result_t r;
    if (sim_device_run(&o, &r) != 0) {
        return 1;
    }
    const char *why = r.halted ? "the device halted" : r.until_seen ? "marker seen"
                    : r.timed_out ? "timeout" : "boot limit reached";
    fprintf(stderr, "[ota8266] %u boot(s), %u restart(s), %u power cut(s), %u crash(es), %u watchdog reset(s); stopped: %s\n",
            r.boots, r.restarts, r.power_cuts, r.panics, r.wdt_resets, why);
    if (r.halted) {
        return RUN_EXIT_HALTED;
    }
    if (r.timed_out && !r.until_seen) {
        return RUN_EXIT_TIMEOUT;
    }
    return 0;
}
