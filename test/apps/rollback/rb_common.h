#pragma once
/* Shared by the rollback test apps: one line that says where the app runs
 * and what otadata says about it, for test/test_rollback.c to match. */
#include "esp_err.h"

/* Logs "running <label>, state <STATE>, rollback possible: yes|no, last
 * invalid: <label>|none" under `tag`. */
void rb_report(const char *tag);

/* Logs "<what>: 0x<code> (<name>)" under `tag`. */
void rb_result(const char *tag, const char *what, esp_err_t err);
