# The SDK's per-project make workflow for ota8266 examples. A project's
# Makefile sets PROJECT_NAME and includes this file, as with the SDK:
#   PROJECT_NAME := native_ota
#   include $(IDF_PATH)/make/project.mk
# Verbs: menuconfig, defconfig, all (default), flash, monitor, erase_flash,
# erase_otadata, read_otadata, app, bootloader, partition_table, clean, size.

ifndef IDF_PATH
IDF_PATH := $(abspath $(dir $(lastword $(MAKEFILE_LIST)))/..)
endif
PROJECT_PATH := $(abspath $(dir $(firstword $(MAKEFILE_LIST))))
BUILD_DIR_BASE ?= $(PROJECT_PATH)/build
SDKCONFIG ?= $(PROJECT_PATH)/sdkconfig
PY := /usr/bin/python3
HOST_BUILD ?= $(IDF_PATH)/build
OTA8266 := $(HOST_BUILD)/bin/ota8266
KCONFIG_ROOT := $(BUILD_DIR_BASE)/Kconfig
SDKCONFIG_H := $(BUILD_DIR_BASE)/include/sdkconfig.h
COMPONENT_KCONFIGS := $(wildcard $(IDF_PATH)/components/*/Kconfig)
COMPONENT_KCONFIGS_PROJBUILD := $(wildcard $(IDF_PATH)/components/*/Kconfig.projbuild) \
    $(wildcard $(PROJECT_PATH)/main/Kconfig.projbuild)

.PHONY: all app bootloader partition_table menuconfig defconfig flash monitor erase_flash \
    erase_otadata read_otadata clean size host_tools print_flash_cmd

all: app bootloader partition_table
	@echo "Project $(PROJECT_NAME) built: $(BUILD_DIR_BASE)/$(PROJECT_NAME).bin"
	@echo "To flash all build output, run 'make flash' or:"
	@$(MAKE) --no-print-directory -s print_flash_cmd

# --- configuration -----------------------------------------------------------

$(KCONFIG_ROOT): $(COMPONENT_KCONFIGS) $(COMPONENT_KCONFIGS_PROJBUILD) $(IDF_PATH)/make/project.mk
	@mkdir -p $(dir $@)
	@{ echo 'mainmenu "ota8266 ($(PROJECT_NAME)) Configuration"'; \
	   for f in $(COMPONENT_KCONFIGS_PROJBUILD); do echo "source \"$$f\""; done; \
	   echo 'menu "Component config"'; \
	   for f in $(COMPONENT_KCONFIGS); do echo "source \"$$f\""; done; \
	   echo 'endmenu'; } > $@

# A new project starts from sdkconfig.defaults, as in the SDK.
$(SDKCONFIG): | $(KCONFIG_ROOT)
	@cd $(PROJECT_PATH) && if [ -f sdkconfig.defaults ]; then \
	    KCONFIG_CONFIG=$(SDKCONFIG) $(PY) -m defconfig --kconfig $(KCONFIG_ROOT) sdkconfig.defaults >/dev/null; \
	else KCONFIG_CONFIG=$(SDKCONFIG) $(PY) -m alldefconfig $(KCONFIG_ROOT) >/dev/null; fi

menuconfig: $(KCONFIG_ROOT) | $(SDKCONFIG)
	cd $(PROJECT_PATH) && KCONFIG_CONFIG=$(SDKCONFIG) MENUCONFIG_STYLE=aquatic $(PY) -m menuconfig $(KCONFIG_ROOT)

defconfig: $(KCONFIG_ROOT)
	cd $(PROJECT_PATH) && KCONFIG_CONFIG=$(SDKCONFIG) $(PY) -m olddefconfig $(KCONFIG_ROOT)

$(SDKCONFIG_H): $(SDKCONFIG) $(KCONFIG_ROOT)
	@mkdir -p $(dir $@)
	@cd $(PROJECT_PATH) && KCONFIG_CONFIG=$(SDKCONFIG) $(PY) -m olddefconfig $(KCONFIG_ROOT) >/dev/null
	@cd $(PROJECT_PATH) && KCONFIG_CONFIG=$(SDKCONFIG) $(PY) -m genconfig --header-path $@ $(KCONFIG_ROOT)

# The configuration as make variables (strings without their quotes).
-include $(SDKCONFIG)
unq = $(patsubst "%",%,$(1))
FLASH_SIZE := $(call unq,$(CONFIG_ESPTOOLPY_FLASHSIZE))
CHIP_SIZE := $(call unq,$(CONFIG_ESPTOOLPY_CHIP_SIZE))
FLASH_MODE := $(call unq,$(CONFIG_ESPTOOLPY_FLASHMODE))
FLASH_FREQ := $(call unq,$(CONFIG_ESPTOOLPY_FLASHFREQ))
PT_OFFSET := $(CONFIG_PARTITION_TABLE_OFFSET)
PT_CSV_NAME := $(call unq,$(CONFIG_PARTITION_TABLE_FILENAME))
PT_CSV := $(firstword $(wildcard $(PROJECT_PATH)/$(PT_CSV_NAME) $(IDF_PATH)/components/partition_table/$(PT_CSV_NAME)))
PT_BIN := $(BUILD_DIR_BASE)/$(basename $(notdir $(PT_CSV_NAME))).bin
CHIP ?= $(abspath $(PROJECT_PATH)/$(call unq,$(CONFIG_ESPTOOLPY_PORT)))
AP ?= myssid:mypassword

# --- building ----------------------------------------------------------------

# Only the host tool is needed from the top-level build; configure it once.
host_tools:
	@test -f $(HOST_BUILD)/CMakeCache.txt || { sh $(IDF_PATH)/scripts/deps.sh && \
	    cmake -S $(IDF_PATH) -B $(HOST_BUILD) >/dev/null; }
	@cmake --build $(HOST_BUILD) --target ota8266 -j $$(nproc) -- --no-print-directory >/dev/null

partition_table: $(SDKCONFIG_H) host_tools
	@test -n "$(PT_CSV)" || { echo "partition table CSV '$(PT_CSV_NAME)' not found" >&2; exit 2; }
	$(OTA8266) partition_table -q --disable-md5sum --flash-size $(FLASH_SIZE) --offset $(PT_OFFSET) $(PT_CSV) $(PT_BIN)
	@$(OTA8266) partition_table -q $(PT_BIN) $(BUILD_DIR_BASE)/partitions.csv
	@head -c $$((0x2000)) /dev/zero | tr '\0' '\377' > $(BUILD_DIR_BASE)/ota_data_initial.bin

# Apps are linked for the 1 MB window of the boot-default slot: factory, else the lowest ota_N.
APP_OFFSET = $(shell awk -F, '/^[^\#]/ { gsub(/ /,""); if ($$2=="app" && $$3=="factory") f=$$4; \
    if ($$2=="app" && $$3 ~ /^ota_/ && (o=="" || $$3<os)) { o=$$4; os=$$3 } } \
    END { print (f!="" ? f : o) }' $(BUILD_DIR_BASE)/partitions.csv)

CMAKE_PROJECT_ARGS = -DOTA8266_ROOT=$(IDF_PATH) -DOTA8266_TOOL=$(OTA8266) \
    -DPROJECT_NAME=$(PROJECT_NAME) -DPROJECT_DIR=$(PROJECT_PATH) -DSDKCONFIG_H=$(SDKCONFIG_H) \
    -DOTA8266_FLASH_SIZE=$(FLASH_SIZE) -DFLASH_MODE=$(FLASH_MODE) -DFLASH_FREQ=$(FLASH_FREQ) \
    "-DEXTRA_COMPONENT_DIRS=$(EXTRA_COMPONENT_DIRS)"

app bootloader: partition_table
	@cmake -S $(IDF_PATH)/make/app -B $(BUILD_DIR_BASE)/cmake $(CMAKE_PROJECT_ARGS) \
	    -DAPP_OFFSET=$(APP_OFFSET) >$(BUILD_DIR_BASE)/cmake.log || { cat $(BUILD_DIR_BASE)/cmake.log >&2; exit 2; }
	@cmake --build $(BUILD_DIR_BASE)/cmake -j $$(nproc) -- --no-print-directory >/dev/null
	@cp $(BUILD_DIR_BASE)/cmake/$(PROJECT_NAME).bin $(BUILD_DIR_BASE)/cmake/$(PROJECT_NAME).elf $(BUILD_DIR_BASE)/
	@mkdir -p $(BUILD_DIR_BASE)/bootloader && cp $(BUILD_DIR_BASE)/cmake/bootloader/bootloader.bin $(BUILD_DIR_BASE)/bootloader/

size: app
	@$(OTA8266) image_info $(BUILD_DIR_BASE)/$(PROJECT_NAME).bin

# --- the virtual chip --------------------------------------------------------

OTADATA_OFFSET = $(shell awk -F, '/^[^\#]/ { gsub(/ /,""); if ($$2=="data" && $$3=="ota") print $$4 }' $(BUILD_DIR_BASE)/partitions.csv)
FLASH_ARGS = 0x0 $(BUILD_DIR_BASE)/bootloader/bootloader.bin $(PT_OFFSET) $(PT_BIN) \
    $(if $(OTADATA_OFFSET),$(OTADATA_OFFSET) $(BUILD_DIR_BASE)/ota_data_initial.bin) \
    $(APP_OFFSET) $(BUILD_DIR_BASE)/$(PROJECT_NAME).bin

print_flash_cmd:
	@echo "$(OTA8266) write_flash --chip $(CHIP) --flash-size $(CHIP_SIZE) $(FLASH_ARGS)"

flash: all
	@echo "Flashing binaries to the virtual chip $(CHIP)..."
	$(OTA8266) write_flash --chip $(CHIP) --flash-size $(CHIP_SIZE) $(FLASH_ARGS)

monitor: host_tools
	$(OTA8266) run --chip $(CHIP) --flash-size $(CHIP_SIZE) --ap $(AP) $(MONITOR_ARGS)

erase_flash: host_tools
	$(OTA8266) erase_flash --chip $(CHIP) --flash-size $(CHIP_SIZE)

erase_otadata read_otadata: host_tools
	$(OTA8266) $@ --chip $(CHIP) --flash-size $(CHIP_SIZE) --partition-table-offset $(PT_OFFSET)

clean:
	rm -rf $(BUILD_DIR_BASE)
