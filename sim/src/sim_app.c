#include "sim_app.h"

#include <stdlib.h>
#include <time.h>

sim_state_t *sim_state_current(void)
{
    static sim_state_t *s_state;
    static int s_tried;
    if (!s_tried) {
        s_tried = 1;
        s_state = sim_state_from_env();
    }
    return s_state;
}

esp_err_t sim_flash_attach_current(sim_flash_t *f)
{
    const char *fd = getenv("OTA8266_FLASH_FD");
    sim_state_t *st = sim_state_current();
    if (!fd || !st) {
        return ESP_ERR_INVALID_STATE;
    }
    return sim_flash_attach(f, atoi(fd), st);
}

int sim_net_map_port(int port)
{
    const sim_state_t *st = sim_state_current();
    for (uint32_t i = 0; st && i < st->n_net_maps && i < SIM_MAX_NET_MAPS; i++) {
        if (st->net_map_from[i] == port) {
            return st->net_map_to[i];
        }
    }
    return port;
}

uint64_t sim_host_us_since_power_on(void)
{
    const sim_state_t *st = sim_state_current();
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    uint64_t now = (uint64_t)t.tv_sec * 1000000000ull + (uint64_t)t.tv_nsec;
    return st && now > st->power_on_ns ? (now - st->power_on_ns) / 1000u : 0;
}
