/* Placeholder translation unit for a component with no sources yet. */
typedef int ota8266_empty_translation_unit;
