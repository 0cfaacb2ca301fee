# SPDX-License-Identifier: GPL-2.0
#
# tools.mk: the one include of every user-space build of this repository
# (tools/pcnctl, tools/pcn-top, tools/demo, bench, lib, selftests).
#
# Set first, in the including Makefile:
#   SRCDIR   its own folder (absolute)
#   O        its output folder: absolute, or relative to SRCDIR
# and, for programs linked with libpopcorn, POPCORN_PROGS (their names:
# this then makes the whole Makefile) or WITH_LIBPOPCORN := 1 (only the
# rule for libpopcorn.a).
#
# Then this gives:
#   PCN_TOP     the repository
#   OUT         O, absolute; and a rule that creates it
#   PCN_CFLAGS  -O2 -Wall -Wextra -Werror -I include/uapi $(EXTRA_CFLAGS):
#               every build here fails on a warning
#   TOOLS_LIB   tools/lib, the tools library of pcnctl and pcn-top: generic
#               netlink over libmnl (nl.c), the counters as structs
#               (pcnstat.c), the JSON writer (json.c); TOOLS_LIB_SRCS,
#               TOOLS_LIB_HDRS, and TOOLS_CFLAGS / TOOLS_LDLIBS to build
#               with it (libmnl through pkg-config, asked only when used)
#   LIBPOPCORN  libpopcorn.a (default build/lib/libpopcorn.a); with
#               WITH_LIBPOPCORN or POPCORN_PROGS, a rule that (re)builds
#               it from lib/ when missing or stale

# The rules below come before the including Makefile's: keep its "all" the
# default goal.
.DEFAULT_GOAL	:= all

PCN_TOP		:= $(abspath $(dir $(lastword $(MAKEFILE_LIST)))/../..)
OUT		:= $(abspath $(if $(filter /%,$(O)),$(O),$(SRCDIR)/$(O)))

CC		?= cc
PKG_CONFIG	?= pkg-config

PCN_CFLAGS	:= -O2 -Wall -Wextra -Werror -I$(PCN_TOP)/include/uapi \
		   $(EXTRA_CFLAGS)

TOOLS_LIB	:= $(PCN_TOP)/tools/lib
TOOLS_LIB_SRCS	:= $(addprefix $(TOOLS_LIB)/,nl.c pcnstat.c json.c)
TOOLS_LIB_HDRS	:= $(addprefix $(TOOLS_LIB)/,nl.h pcnstat.h json.h) \
		   $(PCN_TOP)/include/uapi/popcorn/pcn_netlink.h
# Recursive: pkg-config runs only in the builds that use them.
MNL_CFLAGS	= $(shell $(PKG_CONFIG) --cflags libmnl)
MNL_LIBS	= $(shell $(PKG_CONFIG) --libs libmnl)
TOOLS_CFLAGS	= $(PCN_CFLAGS) -I$(TOOLS_LIB) $(MNL_CFLAGS)
TOOLS_LDLIBS	= $(MNL_LIBS)

LIBPOPCORN	?= $(PCN_TOP)/build/lib/libpopcorn.a
override LIBPOPCORN := $(abspath $(LIBPOPCORN))

# Programs linked with libpopcorn need it built.
ifdef POPCORN_PROGS
WITH_LIBPOPCORN := 1
endif

ifdef WITH_LIBPOPCORN
$(LIBPOPCORN): $(wildcard $(PCN_TOP)/lib/*.c $(PCN_TOP)/lib/*.h \
			  $(PCN_TOP)/lib/*.S) \
		$(PCN_TOP)/lib/Makefile $(lastword $(MAKEFILE_LIST)) \
		$(PCN_TOP)/include/uapi/popcorn/popcorn.h
	$(MAKE) -C $(PCN_TOP)/lib O=$(dir $(LIBPOPCORN))
endif

# POPCORN_PROGS: all, clean, and $(OUT)/NAME from $(SRCDIR)/NAME.c, linked
# statically with libpopcorn (the other nodes run them without any shared
# library).
ifdef POPCORN_PROGS
all: $(addprefix $(OUT)/,$(POPCORN_PROGS))

$(addprefix $(OUT)/,$(POPCORN_PROGS)): $(OUT)/%: $(SRCDIR)/%.c \
		$(PCN_TOP)/lib/popcorn.h $(PCN_TOP)/include/uapi/popcorn/popcorn.h \
		$(LIBPOPCORN) $(lastword $(MAKEFILE_LIST)) | $(OUT)
	$(CC) $(PCN_CFLAGS) -I$(PCN_TOP)/lib -static -pthread -o $@ $< \
		$(LIBPOPCORN)

clean:
	rm -f $(addprefix $(OUT)/,$(POPCORN_PROGS))

.PHONY: all clean
endif

$(OUT):
	mkdir -p $@
