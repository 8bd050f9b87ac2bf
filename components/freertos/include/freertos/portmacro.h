#pragma once
/*
 * Critical sections, as the SDK's portmacro.h names them. On the chip they
 * turn interrupts off: no other task runs and the idle task stops feeding
 * the hardware watchdog. Here they are one recursive lock shared by all
 * tasks, and the watchdog feeder (esp_system) skips its feed while any task
 * holds it, so an app that hangs inside one is reset by the watchdog.
 */

#ifdef __cplusplus
extern "C" {
#endif

void vPortEnterCritical(void);
void vPortExitCritical(void);

#define portENTER_CRITICAL() vPortEnterCritical()
#define portEXIT_CRITICAL() vPortExitCritical()

#ifdef __cplusplus
}
#endif
