#pragma once
/* Puts the test process on a virtual device (a fresh shared state with the
 * given time scale) before anything asks sim_state_current() for it. */
#include <stdio.h>
#include <stdlib.h>

#include "sim_app.h"

static inline sim_state_t *test_device_start(uint32_t time_scale_x1000)
{
    int fd = -1;
    sim_state_t *st = sim_state_create(1024 * 1024, &fd);
    if (!st) {
        fprintf(stderr, "sim_state_create failed\n");
        exit(1);
    }
    st->time_scale_x1000 = time_scale_x1000;
    char text[16];
    snprintf(text, sizeof text, "%d", fd);
    setenv("OTA8266_STATE_FD", text, 1);
    if (sim_state_current() == NULL) {
        fprintf(stderr, "the device state is not visible through OTA8266_STATE_FD\n");
        exit(1);
    }
    return sim_state_current();
}
