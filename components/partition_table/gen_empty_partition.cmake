# cmake -DOUT=<file> -DSIZE=<bytes> -P gen_empty_partition.cmake
# Writes SIZE bytes of 0xFF, what erased flash reads as (the SDK's
# gen_empty_partition.py, used for ota_data_initial.bin). SIZE: multiple of 4096.
math(EXPR _sectors "${SIZE} / 4096")
string(ASCII 255 _ff)
string(REPEAT "${_ff}" 4096 _sector)
string(REPEAT "${_sector}" ${_sectors} _all)
file(WRITE "${OUT}" "${_all}")
