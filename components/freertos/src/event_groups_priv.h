#pragma once
/* For the unit tests: how many tasks are blocked in xEventGroupWaitBits on g. */
#include "freertos/event_groups.h"

unsigned event_group_waiting(EventGroupHandle_t g);
