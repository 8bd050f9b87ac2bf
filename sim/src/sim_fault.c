/*
 * The fault plan: power cuts before a chosen modifying flash operation,
 * counted in the shared state so that the index runs across resets and
 * processes. A cut op is not counted as done (modify_ops stays at k - 1),
 * which is what the supervisor reports and what makes the next op after
 * the reboot number k again, where the fired cut no longer matches.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "sim_flash.h"
#include "sim_flash_priv.h"

void sim_rng_init(sim_rng_t *r, uint64_t seed, uint64_t op_index)
{
    r->s = seed ^ (op_index * 0xD1B54A32D192ED03ull);
    (void)sim_rng_next(r); /* decorrelates neighbouring op indices */
}

uint64_t sim_rng_next(sim_rng_t *r)
{
    uint64_t z = (r->s += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

static const char *const s_kind_names[] = {
    [SIM_CUT_CLEAN] = "clean",
    [SIM_CUT_TORN_WRITE] = "torn-write",
    [SIM_CUT_TORN_WRITE_BITS] = "torn-bits",
    [SIM_CUT_TORN_ERASE] = "torn-erase",
    [SIM_CUT_TORN_ERASE_RANDOM] = "erase-random",
    [SIM_CUT_TORN_WRITE_LATE] = "torn-late",
};
#define N_KINDS (sizeof s_kind_names / sizeof s_kind_names[0])

const char *sim_cut_kind_name(sim_cut_kind_t kind)
{
    return (unsigned)kind < N_KINDS ? s_kind_names[kind] : "unknown";
}

int sim_cut_kind_parse(const char *name)
{
    for (unsigned i = 0; name && i < N_KINDS; i++) {
        if (!strcmp(name, s_kind_names[i])) {
            return (int)i;
        }
    }
    return -1;
}

esp_err_t sim_flash_plan_cut(sim_state_t *st, uint64_t at_op, sim_cut_kind_t kind)
{
    if (!st || at_op == 0 || (unsigned)kind >= N_KINDS) {
        return ESP_ERR_INVALID_ARG;
    }
    if (st->n_cuts >= SIM_MAX_CUTS) {
        return ESP_ERR_NO_MEM;
    }
    st->cuts[st->n_cuts++] = (sim_cut_t){.at_op = at_op, .kind = (uint32_t)kind, .fired = 0};
    return ESP_OK;
}

static sim_cut_t *matching_cut(sim_state_t *st, uint64_t op)
{
    uint32_t n = st->n_cuts < SIM_MAX_CUTS ? st->n_cuts : SIM_MAX_CUTS;
    for (uint32_t i = 0; i < n; i++) {
        if (!st->cuts[i].fired && st->cuts[i].at_op == op) {
            return &st->cuts[i];
        }
    }
    return NULL;
}

/* How much of a torn op got done: at least 1 byte when possible, never all of it. */
static uint32_t torn_length(sim_rng_t *rng, uint32_t len)
{
    return len > 1 ? 1u + (uint32_t)(sim_rng_next(rng) % (len - 1u)) : 0u;
}

/* Writes what the cut leaves on flash; a torn kind of the other op type is clean. */
static esp_err_t apply_effect(sim_flash_t *f, uint32_t kind, uint64_t op, uint32_t addr,
                              const uint8_t *src, uint32_t len)
{
    sim_rng_t rng;
    sim_rng_init(&rng, f->st->seed, op);
    bool erase = src == NULL;
    if (!erase && kind == SIM_CUT_TORN_WRITE) {
        return sim_flash_program_raw(f, addr, src, torn_length(&rng, len), NULL, 0);
    }
    if (!erase && kind == SIM_CUT_TORN_WRITE_BITS) {
        return sim_flash_program_raw(f, addr, src, len, &rng, 1);
    }
    if (!erase && kind == SIM_CUT_TORN_WRITE_LATE) {
        return sim_flash_program_raw(f, addr, src, len, &rng, 4);
    }
    if (erase && kind == SIM_CUT_TORN_ERASE) {
        return sim_flash_fill_raw(f, addr, 0xFF, torn_length(&rng, len), NULL);
    }
    if (erase && kind == SIM_CUT_TORN_ERASE_RANDOM) {
        return sim_flash_fill_raw(f, addr, 0, len, &rng);
    }
    return ESP_OK;
}

bool sim_fault_before_op(sim_flash_t *f, uint32_t addr, const uint8_t *src, uint32_t len,
                         esp_err_t *err)
{
    sim_state_t *st = f->st;
    uint64_t op = st->counters.modify_ops + 1;
    /* Recorded before the cut check, so the op a cut hits is in the trace too. */
    if (op <= SIM_OP_TRACE) {
        st->op_trace[op - 1] = (sim_op_t){.addr = addr, .len = len, .erase = src == NULL};
    }
    sim_cut_t *cut = matching_cut(st, op);
    if (!cut) {
        return false;
    }
    cut->fired = 1;
    st->power_cuts++;
    esp_err_t e = apply_effect(f, cut->kind, op, addr, src, len);
    if (e == ESP_OK) {
        snprintf(f->last_error, sizeof f->last_error,
                 "power cut (%s) before flash %s #%" PRIu64 " of %" PRIu32 " bytes at 0x%08" PRIx32,
                 sim_cut_kind_name((sim_cut_kind_t)cut->kind), src ? "write" : "erase", op, len,
                 addr);
    }
    if (f->on_power_cut) {
        f->on_power_cut(f->on_power_cut_arg);
    } else {
        /* What the UART already sent before the cut was seen: flush it. */
        fflush(stdout);
        fflush(stderr);
        _exit(SIM_EXIT_POWER_CUT);
    }
    *err = e != ESP_OK ? e : ESP_ERR_FLASH_OP_FAIL;
    return true;
}

void sim_flash_print_stats(const sim_state_t *st, void *stdio_file)
{
    FILE *out = stdio_file;
    const sim_counters_t *c = &st->counters;
    fprintf(out, "flash statistics:\n");
    fprintf(out, "  reads          %" PRIu64 " (%" PRIu64 " bytes)\n", c->reads, c->bytes_read);
    fprintf(out, "  writes         %" PRIu64 " (%" PRIu64 " bytes)\n", c->writes, c->bytes_written);
    fprintf(out, "  erases         %" PRIu64 " (%" PRIu64 " bytes)\n", c->erases,
            c->erases * SIM_SECTOR_SIZE);
    fprintf(out, "  blank erases   %" PRIu64 " (of sectors that were already all 0xFF)\n",
            c->blank_erases);
    fprintf(out, "  modifying ops  %" PRIu64 " (writes + erases: what --cut-at counts)\n",
            c->modify_ops);
    fprintf(out, "  power cuts     %" PRIu32 "\n", st->power_cuts);

    /* Top worn sectors by repeated selection: at most 8 passes over 4096 counters. */
    enum { TOP = 8 };
    uint32_t top[TOP];
    int ntop = 0;
    uint32_t touched = 0;
    uint32_t nsec = st->chip_size / SIM_SECTOR_SIZE;
    if (nsec > SIM_MAX_SECTORS || nsec == 0) {
        nsec = SIM_MAX_SECTORS;
    }
    for (uint32_t s = 0; s < nsec; s++) {
        touched += st->sector_erases[s] != 0;
    }
    for (; ntop < TOP; ntop++) {
        int64_t best = -1;
        for (uint32_t s = 0; s < nsec; s++) {
            bool taken = false;
            for (int k = 0; k < ntop; k++) {
                taken |= top[k] == s;
            }
            if (!taken && st->sector_erases[s] > 0 && (int64_t)st->sector_erases[s] > best) {
                best = st->sector_erases[s];
                top[ntop] = s;
            }
        }
        if (best < 0) {
            break;
        }
    }
    fprintf(out, "  sectors erased %" PRIu32 " distinct\n", touched);
    if (ntop > 0) {
        fprintf(out, "  most worn     ");
        for (int k = 0; k < ntop; k++) {
            fprintf(out, " 0x%08" PRIx32 " x%" PRIu32, top[k] * SIM_SECTOR_SIZE,
                    st->sector_erases[top[k]]);
        }
        fprintf(out, "\n");
    }
}
