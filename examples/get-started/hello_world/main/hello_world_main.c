/* hello_world: prints the chip, counts down ten seconds and restarts, as the
 * SDK's get-started example does (same lines, reference §7.3). */
#include <stdio.h>

#include "esp_system.h"
#include "freertos/FreeRTOS.h"
#include "freertos/task.h"
#include "spi_flash.h"

void app_main(void)
{
    printf("Hello world!\n");

    esp_chip_info_t chip;
    esp_chip_info(&chip);
    printf("This is ESP8266 chip with %d CPU cores, WiFi, ", chip.cores);
    printf("silicon revision %d, ", chip.revision);
    printf("%dMB %s flash\n", (int)(spi_flash_get_chip_size() / (1024 * 1024)),
           (chip.features & CHIP_FEATURE_EMB_FLASH) ? "embedded" : "external");

    for (int i = 10; i >= 0; i--) {
        printf("Restarting in %d seconds...\n", i);
        vTaskDelay(1000 / portTICK_PERIOD_MS);
    }
    printf("Restarting now.\n");
    fflush(stdout);
    esp_restart();
}
