#pragma once
/* Subcommands of build/bin/ota8266. Each takes argv with argv[0] = the
 * subcommand name and returns the process exit status (2 = bad arguments). */

int cmd_partition_table(int argc, char **argv); /* cmd_partition_table.c */
int cmd_elf2image(int argc, char **argv);       /* cmd_image.c */
int cmd_image_info(int argc, char **argv);      /* cmd_image.c */
int cmd_write_flash(int argc, char **argv);     /* cmd_flash.c */
int cmd_read_flash(int argc, char **argv);      /* cmd_flash.c */
int cmd_erase_flash(int argc, char **argv);     /* cmd_flash.c */
int cmd_erase_region(int argc, char **argv);    /* cmd_flash.c */
int cmd_read_otadata(int argc, char **argv);    /* cmd_otatool.c */
int cmd_switch_ota_partition(int argc, char **argv); /* cmd_otatool.c */
int cmd_erase_otadata(int argc, char **argv);   /* cmd_otatool.c */
int cmd_run(int argc, char **argv);             /* cmd_run.c */
