#pragma once
/* What a boot stage (bootloader or app process) uses to reach the device it
 * runs on: the shared state and the flash fd its parent passed down. */
#include "sim_flash.h"
#include "sim_state.h"

/* The state named by OTA8266_STATE_FD, mapped once; NULL when not on a device. */
sim_state_t *sim_state_current(void);
/* Attaches *f to the flash fd named by OTA8266_FLASH_FD. */
esp_err_t sim_flash_attach_current(sim_flash_t *f);

/* The host port a device connection to `port` really goes to (run --net-map);
 * `port` itself when unmapped or not on a device. */
int sim_net_map_port(int port);

/* Host (real) microseconds since this device was powered on, for log stamps
 * (run --timestamps); 0 when not on a device. */
uint64_t sim_host_us_since_power_on(void);
