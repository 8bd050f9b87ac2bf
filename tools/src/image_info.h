#pragma once
/* image_info's body: read an image file, check it with the core's stream
 * parser (bs_image.h, the one image parser) and print it esptool-style. */

/* Prints FILE on stdout; returns 0, or 1 with the reason on stderr when the
 * file cannot be read or the image is corrupt. */
int image_info_print_file(const char *cmd, const char *path);
