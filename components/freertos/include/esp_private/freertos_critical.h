#pragma once
/* How deep the tasks are in critical sections right now (0: none), for the
 * watchdog feeder. Not an SDK header. */

#ifdef __cplusplus
extern "C" {
#endif

unsigned freertos_critical_nesting(void);

#ifdef __cplusplus
}
#endif
