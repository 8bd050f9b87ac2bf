#pragma once
/* What the app knows about the image it was booted from. */
#include "bs_image.h"

/* The booted image's flash address and header (decoded at start-up). */
uint32_t esp_app_image_start(void);
const esp_image_header_t *esp_app_image_header(void);
