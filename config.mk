# AquaWatch build configuration. Override on the command line: make PREFIX=/usr CC=clang
VERSION = 0.1.0
PREFIX  = /usr/local
BINDIR  = $(PREFIX)/bin
MANDIR  = $(PREFIX)/share/man
SHAREDIR = $(PREFIX)/share/aquawatch
BASHCOMPDIR = $(PREFIX)/share/bash-completion/completions
ZSHCOMPDIR  = $(PREFIX)/share/zsh/site-functions

CC      ?= cc
PKG_CONFIG ?= pkg-config

# libcsv and libxgboost ship no .pc file on Debian 12; they are plain -l flags.
PKGS    = yaml-0.1 zlib libcrypto
DEP_CFLAGS := $(shell $(PKG_CONFIG) --cflags $(PKGS) 2>/dev/null)
DEP_LIBS   := $(shell $(PKG_CONFIG) --libs $(PKGS) 2>/dev/null || echo -lyaml -lz -lcrypto) -lcsv -lxgboost -lm

OPT     = -O2
CFLAGS  = -std=c11 -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE $(OPT) -g -Wall -Wextra -Werror \
          -Wno-unused-parameter -Wshadow -Wstrict-prototypes -Wmissing-prototypes
LDFLAGS =

ifeq ($(FUZZ),1)
CC      = clang
CFLAGS  += -fsanitize=fuzzer-no-link,address,undefined -fno-omit-frame-pointer \
           -fno-sanitize-recover=undefined
LDFLAGS += -fsanitize=address,undefined
O       = build-fuzz
else ifeq ($(SAN),1)
CFLAGS  += -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
LDFLAGS += -fsanitize=address,undefined
O       = build-san
else
O       = build
endif
