/*
 * powercut: the power-cut campaign (issue 4 item 2). For each scenario it
 * runs the whole update once without cuts to count its modifying flash
 * operations N, then cuts power before op k for every k (or every stride-th,
 * always with every otadata op) and every cut kind, plus seeded random
 * nested runs that cut again during recovery. Each case is checked by
 * powercut_case.c. One summary line; a replay line per failure.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "net_fixture.h"
#include "powercut.h"
#include "sim_flash.h"

#define MAX_KINDS 6 /* sim_cut_kind_t */
#define MAX_JOBS 16
#define MAX_SCENARIOS 16

typedef struct {
    unsigned stride;
    int kinds[MAX_KINDS];
    unsigned n_kinds;
    unsigned nested;
    unsigned depth; /* cuts per nested run */
    unsigned jobs;
    uint64_t seed;
    const char *scenario; /* NULL: all */
    pc_cut_t replay[PC_MAX_CUTS];
    unsigned n_replay;
    bool verbose;
} opts_t;

typedef struct {
    pc_case_t c;
} job_t;

/* What a worker sends back per case: small enough for one atomic pipe write. */
typedef struct {
    uint32_t idx;
    pc_outcome_t out;
    char chip[256];
} result_t;

/* Everything the campaign runs, planned before any worker starts. */
typedef struct plan {
    job_t *jobs;
    size_t n_jobs;
    unsigned scenarios, points, nested, n_picked;
    unsigned same_as_clean; /* (k, kind) pairs that are op k's clean cut, not run again */
    const pc_scenario_t *picked[MAX_SCENARIOS];
    uint64_t n_ops[MAX_SCENARIOS];
} plan_t;

static void add_job(plan_t *p, const job_t *j)
{
    p->jobs = realloc(p->jobs, (p->n_jobs + 1) * sizeof *p->jobs);
    if (!p->jobs) {
        abort();
    }
    p->jobs[p->n_jobs++] = *j;
}

static const char *s_argv0;
static char *s_dir;

static void usage(FILE *f)
{
    fprintf(f,
            "usage: %s [options]\n"
            "Cuts power before every modifying flash operation of a complete OTA update on the\n"
            "virtual ESP8266, with each cut kind, powers on again and checks that the device\n"
            "boots the old or the new image (never a mix, never nothing), that otadata stays\n"
            "consistent and that the update completes (at the latest when re-run).\n\n"
            "  --stride N        cut before every N-th op (1, 1+N, ...) and every otadata op\n"
            "                    (default 1: every op)\n"
            "  --kinds LIST      comma-separated: clean,torn-write,torn-bits,torn-late,\n"
            "                    torn-erase,erase-random (default: all)\n"
            "  --nested M        M seeded random runs that also cut during recovery (default 0)\n"
            "  --depth D         cuts per nested run, 2..%d (default 2)\n"
            "  --seed S          PRNG seed of the nested runs and torn contents (default: time)\n"
            "  --jobs J          parallel devices (default 1)\n"
            "  --scenario NAME   only this scenario\n"
            "  --cut K:KIND[,K:KIND...]  replay one case (with --scenario and --seed)\n"
            "  --verbose         keep the supervisor's notes on stderr\n\n"
            "Summary: runs counts the cases run: cut_points x kinds per scenario, less the\n"
            "pairs where a torn kind does not apply to the op (the clean cut, run once), plus\n"
            "nested;\n"
            "bricked counts runs where no valid app booted, the device halted, or the update\n"
            "never completed; wrong_image, runs that booted or selected a mix, an app that is\n"
            "neither the old nor the new one, or lost both otadata copies.\n",
            s_argv0, PC_MAX_CUTS);
}

static bool parse_kinds(const char *list, opts_t *o)
{
    char buf[128];
    snprintf(buf, sizeof buf, "%s", list);
    o->n_kinds = 0;
    for (char *save = NULL, *t = strtok_r(buf, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
        int k = sim_cut_kind_parse(t);
        bool repeated = false;
        for (unsigned i = 0; i < o->n_kinds; i++) {
            repeated = repeated || o->kinds[i] == k;
        }
        if (k < 0 || repeated || o->n_kinds == MAX_KINDS) {
            fprintf(stderr, "powercut: unknown or repeated cut kind '%s'\n", t);
            return false;
        }
        o->kinds[o->n_kinds++] = k;
    }
    return o->n_kinds > 0;
}

static bool parse_replay(const char *list, opts_t *o)
{
    char buf[256];
    snprintf(buf, sizeof buf, "%s", list);
    for (char *save = NULL, *t = strtok_r(buf, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
        char *colon = strchr(t, ':');
        int kind = colon ? sim_cut_kind_parse(colon + 1) : SIM_CUT_CLEAN;
        uint64_t at = strtoull(t, NULL, 0);
        uint64_t prev = o->n_replay ? o->replay[o->n_replay - 1].at : 0;
        if (kind < 0 || at <= prev || o->n_replay == PC_MAX_CUTS) {
            fprintf(stderr, "powercut: --cut wants increasing K:KIND pairs, at most %d\n",
                    PC_MAX_CUTS);
            return false;
        }
        o->replay[o->n_replay++] = (pc_cut_t){.at = at, .kind = kind};
    }
    return o->n_replay > 0;
}

static bool parse_args(int argc, char **argv, opts_t *o)
{
    static const struct option longs[] = {
        {"stride", required_argument, 0, 's'}, {"kinds", required_argument, 0, 'k'},
        {"nested", required_argument, 0, 'n'}, {"depth", required_argument, 0, 'd'},
        {"seed", required_argument, 0, 'S'},   {"jobs", required_argument, 0, 'j'},
        {"scenario", required_argument, 0, 'c'}, {"cut", required_argument, 0, 'C'},
        {"verbose", no_argument, 0, 'v'},      {"help", no_argument, 0, 'h'},
        {0, 0, 0, 0},
    };
    *o = (opts_t){.stride = 1, .depth = 2, .jobs = 1};
    bool seeded = false;
    for (unsigned i = 0; i < MAX_KINDS; i++) {
        o->kinds[o->n_kinds++] = (int)i;
    }
    int ch;
    while ((ch = getopt_long(argc, argv, "", longs, NULL)) != -1) {
        switch (ch) {
        case 's': o->stride = (unsigned)strtoul(optarg, NULL, 0); break;
        case 'k': if (!parse_kinds(optarg, o)) { return false; } break;
        case 'n': o->nested = (unsigned)strtoul(optarg, NULL, 0); break;
        case 'd': o->depth = (unsigned)strtoul(optarg, NULL, 0); break;
        case 'S': o->seed = strtoull(optarg, NULL, 0); seeded = true; break;
        case 'j': o->jobs = (unsigned)strtoul(optarg, NULL, 0); break;
        case 'c': o->scenario = optarg; break;
        case 'C': if (!parse_replay(optarg, o)) { return false; } break;
        case 'v': o->verbose = true; break;
        case 'h': usage(stdout); exit(0);
        default: return false;
        }
    }
    if (o->stride < 1 || o->depth < 2 || o->depth > PC_MAX_CUTS || o->jobs < 1 ||
        optind != argc) {
        return false;
    }
    o->jobs = o->jobs > MAX_JOBS ? MAX_JOBS : o->jobs; /* `make powercut` passes nproc */
    if (!seeded) {
        o->seed = (uint64_t)time(NULL) ^ ((uint64_t)getpid() << 32);
    }
    return true;
}

/* splitmix64: the nested runs are a pure function of the printed seed. */
static uint64_t rng_next(uint64_t *s)
{
    uint64_t z = (*s += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

static uint64_t rng_range(uint64_t *s, uint64_t lo, uint64_t hi)
{
    return lo + rng_next(s) % (hi - lo + 1);
}

/*
 * The update servers of this process, one per served file (its own docroot
 * with the file as hello_world.bin, the native example's URL). Each worker
 * has its own: the fixture names a server's log after its docroot and a
 * per-process count, which forked workers would share.
 */
typedef struct {
    const char *file;
    char *docroot;
    fx_proc_t proc;
} server_t;

static server_t s_servers[MAX_SCENARIOS];

/* Points the virtual network at the server for sc's update, started on first use. */
static bool use_server(const pc_scenario_t *sc)
{
    server_t *sv = s_servers;
    while (sv < s_servers + MAX_SCENARIOS && sv->file && strcmp(sv->file, sc->new_app.file)) {
        sv++;
    }
    if (sv == s_servers + MAX_SCENARIOS) {
        return false;
    }
    if (!sv->file) {
        char served[600];
        size_t len;
        sv->docroot = fx_mkdtemp("ota8266-powercut-www");
        snprintf(served, sizeof served, "%s/hello_world.bin", sv->docroot);
        char *img = fx_read_file(sc->new_app.file, &len);
        bool ok = img && fx_write_file(served, img, len) == 0 &&
                  fx_start_s_server(&sv->proc, sv->docroot, "-WWW", H_TEST_CA, H_TEST_KEY,
                                    NULL) == 0;
        free(img);
        if (!ok) {
            fprintf(stderr, "powercut: cannot serve %s with openssl s_server\n", sc->new_app.file);
            fx_rmtree(sv->docroot);
            free(sv->docroot);
            return false;
        }
        sv->file = sc->new_app.file;
    }
    h_set_ap("myssid", "mypassword");
    h_set_net_map(8070, sv->proc.port);
    return true;
}

static void stop_servers(void)
{
    for (server_t *sv = s_servers; sv < s_servers + MAX_SCENARIOS && sv->file; sv++) {
        fx_stop(&sv->proc);
        unlink(sv->proc.log); /* the fixture keeps it beside the docroot */
        fx_rmtree(sv->docroot);
        free(sv->docroot);
        *sv = (server_t){0};
    }
}

static const char *cuts_text(const pc_case_t *c, char *buf, size_t size)
{
    size_t n = 0;
    buf[0] = '\0';
    for (uint32_t i = 0; i < c->n_cuts && n < size; i++) {
        n += (size_t)snprintf(buf + n, size - n, "%s%" PRIu64 ":%s", i ? "," : "", c->cuts[i].at,
                              sim_cut_kind_name((sim_cut_kind_t)c->cuts[i].kind));
    }
    return buf;
}

typedef struct {
    unsigned bricked, wrong, done;
    /* per scenario: runs, runs that completed only when re-run, runs that
     * passed through a rollback */
    unsigned runs[MAX_SCENARIOS], incomplete[MAX_SCENARIOS], rolled_back[MAX_SCENARIOS];
    unsigned refused[MAX_SCENARIOS]; /* rolled back, then that version refused (pc_outcome_t) */
    unsigned refused_all;
} tally_t;

static void report(const pc_case_t *c, const result_t *r, tally_t *t)
{
    size_t sc = (size_t)(c->sc - pc_scenarios);
    t->runs[sc]++;
    t->incomplete[sc] += r->out.cls == PC_OK && !r->out.completed && !r->out.refused;
    t->rolled_back[sc] += r->out.cls == PC_OK && r->out.rolled_back;
    t->refused[sc] += r->out.cls == PC_OK && r->out.refused;
    t->refused_all += r->out.cls == PC_OK && r->out.refused;
    if (r->out.cls == PC_OK) {
        return;
    }
    t->bricked += r->out.cls == PC_BRICKED;
    t->wrong += r->out.cls == PC_WRONG_IMAGE;
    char cuts[160];
    printf("FAIL %s: scenario %s, %scut %s, seed %" PRIu64 ": %s\n",
           r->out.cls == PC_BRICKED ? "bricked" : "wrong_image", c->sc->name,
           c->n_cuts > 1 ? "nested " : "",
           c->n_cuts ? cuts_text(c, cuts, sizeof cuts) : "none", c->seed, r->out.why);
    printf("  replay: %s --scenario '%s'%s%s --seed %" PRIu64
           "   (chip kept: %s, console: %s.log)\n",
           s_argv0, c->sc->name, c->n_cuts ? " --cut " : "", c->n_cuts ? cuts : "", c->seed,
           r->chip, r->chip);
    fflush(stdout);
}

/* The clean run: N, and what each op hits (printed, and used by --stride).
 * A failure here is a failure of the design without any cut: tallied. */
static bool count_ops(const pc_scenario_t *sc, uint64_t seed, sim_op_t *trace, uint64_t *n,
                      tally_t *t)
{
    pc_case_t c = {.sc = sc, .seed = seed};
    result_t r;
    snprintf(r.chip, sizeof r.chip, "%s/clean-%zu.bin", s_dir, (size_t)(sc - pc_scenarios));
    pc_run_case(&c, r.chip, trace, &r.out);
    if (r.out.cls == PC_OK && !r.out.completed) {
        r.out.cls = PC_BRICKED;
        snprintf(r.out.why, sizeof r.out.why, "the update does not complete without any cut");
    }
    report(&c, &r, t);
    if (r.out.cls != PC_OK) {
        return false;
    }
    *n = r.out.ops;
    unsigned od_e = 0, od_w = 0, sl_e = 0, sl_w = 0, other = 0;
    const sim_op_t first_new = {.addr = sc->new_app.addr};
    const char *new_slot = pc_op_target(sc, &first_new);
    for (uint64_t k = 0; k < *n && k < SIM_OP_TRACE; k++) {
        bool od = pc_op_is_otadata(&trace[k]);
        bool slot = !od && !strcmp(pc_op_target(sc, &trace[k]), new_slot);
        od_e += od && trace[k].erase;
        od_w += od && !trace[k].erase;
        sl_e += slot && trace[k].erase;
        sl_w += slot && !trace[k].erase;
        other += !od && !slot;
    }
    printf("powercut: scenario %s: N=%" PRIu64 " modifying ops (new slot: %u erases + %u writes; "
           "otadata: %u erases + %u writes; other: %u)\n",
           sc->name, *n, sl_e, sl_w, od_e, od_w, other);
    return true;
}

static bool kind_applies(int kind, const sim_op_t *op)
{
    bool erase_kind = kind == SIM_CUT_TORN_ERASE || kind == SIM_CUT_TORN_ERASE_RANDOM;
    return kind == SIM_CUT_CLEAN || erase_kind == (op->erase != 0);
}

/* The exhaustive part: k = 1, 1 + stride, ..., N, and every otadata op. */
static unsigned add_cut_points(const opts_t *o, const pc_scenario_t *sc, uint64_t n,
                               const sim_op_t *trace, plan_t *p)
{
    unsigned points = 0;
    for (uint64_t k = 1; k <= n; k++) {
        bool od = k <= SIM_OP_TRACE && pc_op_is_otadata(&trace[k - 1]);
        if ((k - 1) % o->stride != 0 && k != n && !od) {
            continue;
        }
        points++;
        int seen[MAX_KINDS];
        unsigned n_seen = 0;
        for (unsigned i = 0; i < o->n_kinds; i++) {
            /* The sim cuts a torn kind of the other op type cleanly (a torn
             * write before an erase): that case is the clean cut, run once. */
            bool applies = k > SIM_OP_TRACE || kind_applies(o->kinds[i], &trace[k - 1]);
            int kind = applies ? o->kinds[i] : SIM_CUT_CLEAN;
            bool dup = false;
            for (unsigned d = 0; d < n_seen; d++) {
                dup = dup || seen[d] == kind;
            }
            if (dup) {
                p->same_as_clean++;
                continue;
            }
            seen[n_seen++] = kind;
            job_t j = {.c = {.sc = sc, .cuts = {{.at = k, .kind = kind}}, .n_cuts = 1,
                             .seed = o->seed}};
            add_job(p, &j);
        }
    }
    return points;
}

/* A nested run: a first cut anywhere in the update, then each further cut
 * within the recovery that follows (which repeats up to N ops). */
static job_t nested_job(const opts_t *o, const pc_scenario_t *sc, uint64_t n, uint64_t *rng)
{
    job_t j = {.c = {.sc = sc, .n_cuts = o->depth, .seed = rng_next(rng)}};
    uint64_t at = 0;
    for (unsigned i = 0; i < o->depth; i++) {
        at = rng_range(rng, at + 1, at + n);
        j.c.cuts[i] = (pc_cut_t){.at = at, .kind = o->kinds[rng_next(rng) % o->n_kinds]};
    }
    return j;
}

/* Runs jobs[i] for i = w, w + jobs, ... with its own server; results to fd. */
static void worker(const opts_t *o, unsigned w, const job_t *jobs, size_t n_jobs, int fd)
{
    if (!o->verbose) {
        int null = open("/dev/null", O_WRONLY);
        dup2(null, STDERR_FILENO); /* the supervisor's per-cut notes */
        close(null);
    }
    for (size_t i = w; i < n_jobs; i += o->jobs) {
        if (!use_server(jobs[i].c.sc)) {
            _exit(3);
        }
        result_t r = {.idx = (uint32_t)i};
        snprintf(r.chip, sizeof r.chip, "%s/chip-%u.bin", s_dir, w);
        pc_run_case(&jobs[i].c, r.chip, NULL, &r.out);
        if (r.out.cls != PC_OK) {
            char kept[256], from[300], to[300];
            snprintf(kept, sizeof kept, "%s/fail-%zu.bin", s_dir, i);
            snprintf(from, sizeof from, "%s.log", r.chip);
            snprintf(to, sizeof to, "%s.log", kept);
            (void)rename(r.chip, kept); /* best effort: the replay line names it */
            (void)rename(from, to);
            snprintf(r.chip, sizeof r.chip, "%s", kept);
        }
        if (write(fd, &r, sizeof r) != (ssize_t)sizeof r) {
            _exit(4);
        }
    }
    stop_servers();
    _exit(0);
}

/* Fans the jobs out over o->jobs worker processes and tallies what comes back. */
static bool run_jobs(const opts_t *o, const job_t *jobs, size_t n_jobs, tally_t *t)
{
    int fds[MAX_JOBS];
    pid_t pids[MAX_JOBS];
    unsigned open_fds = 0;
    fflush(NULL);
    for (unsigned w = 0; w < o->jobs; w++) {
        int p[2];
        if (pipe(p) != 0) {
            return false;
        }
        pids[w] = fork();
        if (pids[w] == 0) {
            close(p[0]);
            worker(o, w, jobs, n_jobs, p[1]);
        }
        close(p[1]);
        fds[w] = p[0];
        open_fds++;
    }
    while (open_fds > 0) {
        struct pollfd pf[MAX_JOBS];
        for (unsigned w = 0; w < o->jobs; w++) {
            pf[w] = (struct pollfd){.fd = fds[w], .events = POLLIN};
        }
        if (poll(pf, o->jobs, -1) < 0 && errno != EINTR) {
            return false;
        }
        for (unsigned w = 0; w < o->jobs; w++) {
            if (fds[w] < 0 || !(pf[w].revents & (POLLIN | POLLHUP))) {
                continue;
            }
            result_t r;
            if (read(fds[w], &r, sizeof r) != (ssize_t)sizeof r) {
                close(fds[w]);
                fds[w] = -1;
                open_fds--;
                continue;
            }
            t->done++;
            report(&jobs[r.idx].c, &r, t);
        }
    }
    bool ok = true;
    for (unsigned w = 0; w < o->jobs; w++) {
        int st;
        ok = waitpid(pids[w], &st, 0) == pids[w] && WIFEXITED(st) && WEXITSTATUS(st) == 0 && ok;
    }
    return ok && t->done == n_jobs;
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Counts each scenario's ops with a clean run, then lists its cases. */
static bool plan_scenarios(const opts_t *o, plan_t *p, tally_t *t)
{
    static sim_op_t trace[SIM_OP_TRACE];
    for (size_t i = 0; i < pc_n_scenarios && i < MAX_SCENARIOS; i++) {
        const pc_scenario_t *sc = &pc_scenarios[i];
        if (o->scenario && strcmp(o->scenario, sc->name) != 0) {
            continue;
        }
        p->scenarios++;
        uint64_t n;
        if (!use_server(sc)) {
            return false;
        }
        if (!count_ops(sc, o->seed, trace, &n, t)) {
            continue; /* its cut points would only repeat the failure */
        }
        p->picked[p->n_picked] = sc;
        p->n_ops[p->n_picked++] = n;
        if (o->n_replay) {
            job_t j = {.c = {.sc = sc, .n_cuts = o->n_replay, .seed = o->seed}};
            memcpy(j.c.cuts, o->replay, sizeof o->replay);
            add_job(p, &j);
        } else {
            p->points += add_cut_points(o, sc, n, trace, p);
        }
    }
    stop_servers(); /* the workers start their own */
    uint64_t rng = o->seed;
    for (unsigned i = 0; p->n_picked && !o->n_replay && i < o->nested; i++) {
        job_t j = nested_job(o, p->picked[i % p->n_picked], p->n_ops[i % p->n_picked], &rng);
        add_job(p, &j);
        p->nested++;
    }
    return true;
}

int main(int argc, char **argv)
{
    s_argv0 = argv[0];
    opts_t o;
    if (!parse_args(argc, argv, &o)) {
        usage(stderr);
        return 2;
    }
    setvbuf(stdout, NULL, _IOLBF, 0);
    double t0 = now_s();
    s_dir = fx_mkdtemp("ota8266-powercut");
    pc_setup(s_dir);
    printf("powercut: seed=%" PRIu64 " (replay with --seed %" PRIu64 ")\n", o.seed, o.seed);

    plan_t p = {0};
    tally_t t = {0};
    if (!plan_scenarios(&o, &p, &t)) {
        stop_servers();
        return 2;
    }
    if (p.scenarios == 0) {
        fprintf(stderr, "powercut: no scenario named '%s'\n", o.scenario);
        fx_rmtree(s_dir);
        return 2;
    }
    /* No more workers than runs: each worker starts servers of its own. */
    o.jobs = p.n_jobs < o.jobs ? (unsigned)p.n_jobs : o.jobs;
    bool workers_ok = p.n_jobs == 0 || run_jobs(&o, p.jobs, p.n_jobs, &t);
    if (!workers_ok) {
        printf("powercut: a worker failed (%u of %zu runs reported)\n", t.done, p.n_jobs);
    }
    free(p.jobs);
    for (size_t i = 0; i < pc_n_scenarios && i < MAX_SCENARIOS; i++) {
        if (t.runs[i]) {
            printf("powercut: scenario %s: %u runs (clean run included), %u completed only when "
                   "re-run, %u passed through a rollback, %u of them then refused that version\n",
                   pc_scenarios[i].name, t.runs[i], t.incomplete[i], t.rolled_back[i],
                   t.refused[i]);
        }
    }
    printf("powercut: wall time %.1f s, %u job(s); %u (cut point, kind) pairs were their point's "
           "clean cut and ran once as it\n", now_s() - t0, o.jobs, p.same_as_clean);
    printf("powercut: scenarios=%u cut_points=%u kinds=%u runs=%u nested=%u bricked=%u "
           "wrong_image=%u refused=%u seed=%" PRIu64 "\n",
           p.scenarios, p.points, o.n_replay ? 0 : o.n_kinds, t.done, p.nested, t.bricked,
           t.wrong, t.refused_all, o.seed);
    if (workers_ok && t.bricked == 0 && t.wrong == 0) {
        fx_rmtree(s_dir); /* failures keep their chips there */
        return 0;
    }
    return 1;
}
