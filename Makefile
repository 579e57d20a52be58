# Builds the C side of the workbook the classic way, as the source lesson does:
#   make            every C program and shared library into build/
#   make test       the project's tests (the same command the README gives)
#   make clean      removes build/
#
# The checker builds the same artifacts itself (`cargo run -p checker -- build-c`),
# so learners never need make; this file shows what that build is.
# Unlike the source's Makefile, every target here is the file it writes, so
# `make` rebuilds only what changed.

CC      ?= gcc
CFLAGS  ?= -O3 -Wall -Wextra
BUILD   = build
# Shared libraries end in .so on Linux, .dylib on macOS (found by uname;
# `make SO=dylib` says so by hand). On Windows, use `cargo run -p checker -- build-c`.
SO      ?= $(if $(filter Darwin,$(shell uname -s)),dylib,so)
ifeq ($(SO),dylib)
# -dynamiclib makes a .dylib. Its install name is what a program linked
# against it records: @rpath/ makes the loader look in the program's rpath
# (lesson 3's build.rs adds build/), wherever the workbook is.
SHARED  = -dynamiclib -Wl,-install_name,@rpath/$(notdir $@)
else
# -fPIC and -shared make a shared library (a .so).
SHARED  = -fPIC -shared
endif

PROGRAMS  = $(BUILD)/pointers
LIBRARIES = $(BUILD)/libABI_add.$(SO) $(BUILD)/libfibonacci.$(SO) $(BUILD)/libevolve.$(SO) \
            $(BUILD)/libc_strings.$(SO) $(BUILD)/libhandles.$(SO)

.PHONY: all test clean
all: $(PROGRAMS) $(LIBRARIES)

$(BUILD):
	mkdir -p $(BUILD)

$(BUILD)/pointers: csrc/pointers.c | $(BUILD)
	$(CC) $(CFLAGS) -o $@ $<

$(BUILD)/lib%.$(SO): csrc/%.c $(wildcard csrc/*.h) | $(BUILD)
	$(CC) $(CFLAGS) $(SHARED) -Icsrc -o $@ $<

# evolve's results are compared with a pure-Rust step to 1e-12: forbid the
# compiler from fusing a*b+c into one fma instruction, which Rust never does on
# its own. Both compilers fuse by default wherever the target has FMA (GCC
# across statements, -ffp-contract=fast; clang within one expression): every
# 64-bit ARM, and x86-64 built for a newer CPU (-march=haswell, -march=native).
# exercises/06_evolve/build.rs agrees.
$(BUILD)/libevolve.$(SO): CFLAGS += -ffp-contract=off

test:
	cargo test

clean:
	rm -rf $(BUILD)
