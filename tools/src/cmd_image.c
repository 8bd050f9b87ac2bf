/* Placeholder: being written. */
#include "cli.h"
#include "commands.h"

int cmd_elf2image(int argc, char **argv)
{
    (void)argc;
    return cli_fail(argv[0], "not implemented yet");
}

int cmd_image_info(int argc, char **argv)
{
    (void)argc;
    return cli_fail(argv[0], "not implemented yet");
}

