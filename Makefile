# Tandem: one plain Makefile.
#
#   make          build every program (broker/tandemd, mgmt/tandemctl, tui/tandemtop)
#   make check    build, then run the TAP suite in t/ with prove
#   make asan     the same suite against an AddressSanitizer+UBSan build
#   make fuzz     each fuzz harness of t/fuzz/ under libFuzzer for FUZZ_SECONDS
#                 (default 60); FUZZ=stomp_frame for one
#   make bench    throughput, latency and memory, against ActiveMQ if installed
#   make demo     two master/slave pairs from conf/, bridged, with traffic, under tandemtop
#   make install  PREFIX=/usr/local (binaries, man pages, example configs,
#                 the systemd unit tandemd@.service)
#   make clean
#
# `make`, `make check` and `make demo` install missing Debian packages
# first (apt-get, when run as root), so they work on a fresh machine.

CC      ?= cc
PREFIX  ?= /usr/local
# systemd reads units from $(PREFIX)/lib/systemd/system for /usr and /usr/local.
SYSTEMD_UNIT_DIR ?= $(PREFIX)/lib/systemd/system
# B is the build directory: "." for the normal build, build-asan for `make asan`.
B       ?= .
OPT     ?= -O2 -g
SAN     ?=
CFLAGS  ?=
override CFLAGS += $(OPT) $(SAN) -std=gnu11 -Wall -Wextra -MMD -MP -D_GNU_SOURCE \
	-I/usr/include/libxml2 -I/usr/include/postgresql
LDLIBS  = -lxml2 -lsqlite3 -lpq -ljansson -lmicrohttpd -lcurl -lsystemd -lz -lm -lpthread

BUILD_PKGS = gcc make libc6-dev libxml2-dev libsqlite3-dev libjansson-dev libncurses-dev libmicrohttpd-dev libcurl4-openssl-dev libsystemd-dev zlib1g-dev libpq-dev
TEST_PKGS  = perl python3 python3-stomp procps iproute2 psmisc man-db groff-base tmux curl mosquitto-clients mosquitto python3-paho-mqtt haproxy chromium postgresql \
	libactivemq-java openjdk-17-jdk-headless activemq
# `make bench` only, beyond the suite's packages: ActiveMQ's MQTT transport
# needs FuseSource's MQTT codec, which Debian's activemq does not pull in,
# and its JDBC store on PostgreSQL (t/bench/pg) the JDBC driver and a
# connection pool on its classpath.
BENCH_PKGS = libmqtt-client-java libpostgresql-jdbc-java libcommons-dbcp2-java libcommons-pool2-java

# Which program each folder goes into (README.md, "A tour of the source"):
#   broker/common   what every program shares: buffers, logging, the STOMP
#                   frame codec, the version (libtandemcommon.a)
#   broker/*, mgmt/server, web
#                   tandemd: the broker core, its config, store, network and
#                   protocols, the management socket and the web console
#                   (libtandem.a), with broker/tandemd.c and the protocol
#                   table broker/protocols.c
#   mgmt/client     the client library of tandemctl and tandemtop
#                   (libtandemclient.a); tandemd links it too, for the web
#                   console's cluster page (web/ only includes it)
#   mgmt/ctl        tandemctl
#   tui             tandemtop
# Each program compiles with its own include path: a file can include
# only what its program links.
COMMON_SRCS := $(wildcard broker/common/*.c)
BROKER_DIRS := broker/core broker/config broker/store broker/network broker/stomp broker/mqtt broker/openwire \
	mgmt/server web
BROKER_SRCS := $(foreach d,$(BROKER_DIRS),$(wildcard $(d)/*.c)) broker/protocols.c
CLIENT_SRCS := $(wildcard mgmt/client/*.c)
CTL_SRCS    := $(wildcard mgmt/ctl/*.c)
TUI_SRCS    := $(wildcard tui/*.c)
COMMON_OBJS := $(COMMON_SRCS:%.c=$(B)/%.o)
BROKER_OBJS := $(BROKER_SRCS:%.c=$(B)/%.o)
CLIENT_OBJS := $(CLIENT_SRCS:%.c=$(B)/%.o)
CTL_OBJS    := $(CTL_SRCS:%.c=$(B)/%.o)
TUI_OBJS    := $(TUI_SRCS:%.c=$(B)/%.o)
COMMON_INC  := -Ibroker/common
BROKER_INC  := $(COMMON_INC) $(BROKER_DIRS:%=-I%) -Ibroker
CLIENT_INC  := $(COMMON_INC) -Imgmt/client
CTL_INC     := $(CLIENT_INC) -Imgmt/ctl
TUI_INC     := $(CLIENT_INC) -Itui
# The tests reach into both sides.
TEST_INC    := $(BROKER_INC) -Imgmt/client
$(COMMON_OBJS): INC := $(COMMON_INC)
$(BROKER_OBJS) $(B)/broker/tandemd.o: INC := $(BROKER_INC)
$(CLIENT_OBJS): INC := $(CLIENT_INC)
# The web console asks the cluster's other nodes through the tools'
# client library (web/cluster_poll.c), which tandemd links for it.
$(filter $(B)/web/%,$(BROKER_OBJS)): INC := $(BROKER_INC) -Imgmt/client
# Management reads ActiveMQ neighbours' Jolokia with the same HTTP client
# (mgmt/server/neighbour.c, on a thread of its own).
$(B)/mgmt/server/neighbour.o: INC := $(BROKER_INC) -Imgmt/client
$(CTL_OBJS): INC := $(CTL_INC)
$(TUI_OBJS): INC := $(TUI_INC)
COMMON_LIB  := $(B)/broker/common/libtandemcommon.a
BROKER_LIB  := $(B)/broker/libtandem.a
CLIENT_LIB  := $(B)/mgmt/client/libtandemclient.a
UNIT_SRCS   := $(wildcard t/unit/*.c)
UNIT_TESTS  := $(UNIT_SRCS:%.c=$(B)/%.t)
# Fuzz harnesses (t/fuzz/README.md): one file each; in the suite each runs
# its corpus and mutations of it through driver.c.
FUZZ_NAMES  := $(filter-out driver fixture,$(basename $(notdir $(wildcard t/fuzz/*.c))))
FUZZ_TESTS  := $(FUZZ_NAMES:%=$(B)/t/fuzz/%.t)
PROGRAMS    := $(B)/broker/tandemd $(B)/mgmt/tandemctl $(B)/tui/tandemtop
BENCH_TOOLS := $(B)/t/bench/startup $(B)/t/bench/mqttload $(B)/t/bench/storedrain

.PHONY: all build check asan fuzz bench demo install clean deps test-deps bench-deps
all: deps
	@$(MAKE) --no-print-directory build

build: $(PROGRAMS) $(UNIT_TESTS) $(FUZZ_TESTS) $(BENCH_TOOLS)

$(B)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(INC) -c $< -o $@

$(COMMON_LIB): $(COMMON_OBJS)
	@rm -f $@
	ar rcs $@ $^

$(BROKER_LIB): $(BROKER_OBJS)
	@rm -f $@
	ar rcs $@ $^

$(CLIENT_LIB): $(CLIENT_OBJS)
	@rm -f $@
	ar rcs $@ $^

$(B)/broker/tandemd: $(B)/broker/tandemd.o $(BROKER_LIB) $(CLIENT_LIB) $(COMMON_LIB)
	$(CC) $(CFLAGS) $^ $(LDLIBS) -o $@

$(B)/mgmt/tandemctl: $(CTL_OBJS) $(CLIENT_LIB) $(COMMON_LIB)
	$(CC) $(CFLAGS) $^ $(LDLIBS) -o $@

$(B)/tui/tandemtop: $(TUI_OBJS) $(CLIENT_LIB) $(COMMON_LIB)
	$(CC) $(CFLAGS) $^ -lncursesw $(LDLIBS) -o $@

TEST_LIBS := $(BROKER_LIB) $(CLIENT_LIB) $(COMMON_LIB)

$(B)/t/unit/%.t: t/unit/%.c t/unit/tap.h $(TEST_LIBS)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(TEST_INC) $< $(TEST_LIBS) $(LDLIBS) -o $@

$(B)/t/fuzz/%.t: t/fuzz/%.c t/fuzz/driver.c t/fuzz/fixture.c t/fuzz/fixture.h $(TEST_LIBS)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(TEST_INC) -It/fuzz -DFUZZ_NAME='"$*"' \
		-DFUZZ_CORPUS='"$(CURDIR)/t/fuzz/corpus/$*"' \
		$< t/fuzz/driver.c t/fuzz/fixture.c $(TEST_LIBS) $(LDLIBS) -o $@

$(B)/t/bench/startup: t/bench/startup.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $< -o $@

$(B)/t/bench/mqttload: t/bench/mqttload.c $(BROKER_LIB) $(CLIENT_LIB) $(COMMON_LIB)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(TEST_INC) $^ $(LDLIBS) -o $@

$(B)/t/bench/storedrain: t/bench/storedrain.c $(BROKER_LIB) $(CLIENT_LIB) $(COMMON_LIB)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(TEST_INC) $^ $(LDLIBS) -o $@

# Figures, not tests: Tandem against Debian's activemq when it is installed.
bench: all bench-deps
	@t/bench/run

# The suite: C unit tests first, then the integration tests (t/*.t) that
# start real brokers. TANDEM_BUILD tells t/test-lib.sh which binaries to run.
# Three test files at a time: the suite holds JVM-, ActiveMQ- and
# PostgreSQL-driven tests that spend most of their time waiting (a whole
# run keeps about one core busy), and must stay within 12 minutes on 2
# cores (make check PROVE_FLAGS= runs them one by one). The longest files
# start first, so that the run does not end on one of them alone.
PROVE_FLAGS ?= -j3
SLOW_TESTS := ./t/81-seed-mixed.t ./t/80-network-activemq-duplex-out-kill.t \
	./t/80-network-activemq-duplex-in-kill.t ./t/80-network-activemq-out-kill.t \
	./t/80-network-activemq-duplex-in.t ./t/29-openwire-consumers.t ./t/39-pg-ha.t \
	./t/38-kahadb-import-big.t ./t/80-network-activemq-kill.t ./t/80-network-activemq-in.t \
	./t/80-network-activemq-out.t ./t/61-tandemctl.t
check: deps test-deps
	@$(MAKE) --no-print-directory build
	TANDEM_BUILD=$(B) prove --exec '' $(PROVE_FLAGS) $(SLOW_TESTS) \
		$(UNIT_TESTS:%=./%) $(FUZZ_TESTS:%=./%) \
		$(filter-out $(SLOW_TESTS),$(sort $(wildcard ./t/*.t)))

asan:
	@$(MAKE) --no-print-directory check B=build-asan OPT="-O1 -g -fno-omit-frame-pointer" \
		SAN="-fsanitize=address,undefined -fno-sanitize-recover=undefined"

# libFuzzer: the library and each harness built with clang's coverage
# and sanitizers in build-fuzz/, each run for FUZZ_SECONDS on a working
# corpus (build-fuzz/corpus/NAME, where new inputs go) seeded from
# t/fuzz/corpus/NAME; a crashing input is written into t/fuzz/corpus/NAME,
# so it stays (commit it with the fix).
FUZZ_SECONDS ?= 60
FUZZ ?= $(FUZZ_NAMES)
FUZZ_SAN := -fsanitize=address,undefined -fno-sanitize-recover=undefined
fuzz: deps
	$(call need_packages,clang libclang-rt-14-dev)
	@$(MAKE) --no-print-directory B=build-fuzz CC=clang OPT="-O1 -g -fno-omit-frame-pointer" \
		SAN="-fsanitize=fuzzer-no-link $(FUZZ_SAN)" $(FUZZ:%=build-fuzz/t/fuzz/%.fuzz)
	@for h in $(FUZZ); do \
		mkdir -p build-fuzz/corpus/$$h && \
		echo "fuzz: $$h for $(FUZZ_SECONDS) s" && \
		build-fuzz/t/fuzz/$$h.fuzz -max_total_time=$(FUZZ_SECONDS) -print_final_stats=1 \
			-artifact_prefix=t/fuzz/corpus/$$h/ $(FUZZ_FLAGS) \
			build-fuzz/corpus/$$h t/fuzz/corpus/$$h || exit 1; \
	done

build-fuzz/t/fuzz/%.fuzz: t/fuzz/%.c t/fuzz/fixture.c t/fuzz/fixture.h $(TEST_LIBS)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(TEST_INC) -fsanitize=fuzzer -It/fuzz -DFUZZ_NAME='"$*"' $< \
		t/fuzz/fixture.c $(TEST_LIBS) $(LDLIBS) -o $@

# conf/demo runs python3 to find ports in use.
demo: all
	$(call need_packages,python3)
	@conf/demo

install: all
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/tandem/conf
	install -m 755 $(PROGRAMS) $(DESTDIR)$(PREFIX)/bin/
	for s in 1 5 7 8; do \
		install -d $(DESTDIR)$(PREFIX)/share/man/man$$s; \
		for f in man/*.$$s; do [ -e "$$f" ] && install -m 644 $$f $(DESTDIR)$(PREFIX)/share/man/man$$s/; done; \
	done; true
	install -m 644 conf/* $(DESTDIR)$(PREFIX)/share/tandem/conf/
	install -d $(DESTDIR)$(SYSTEMD_UNIT_DIR)
	sed 's|@PREFIX@|$(PREFIX)|g' conf/tandemd@.service.in >$(DESTDIR)$(SYSTEMD_UNIT_DIR)/tandemd@.service

clean:
	rm -rf build-asan build-fuzz t/tmp t/jms demo-data
	find . -name '*.o' -o -name '*.d' -o -name '*.a' | xargs rm -f
	rm -f $(PROGRAMS) $(BENCH_TOOLS) t/unit/*.t t/fuzz/*.t

# Install what is missing, only what is missing: dpkg -s is quick, apt is not.
define need_packages
	@missing=""; for p in $(1); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
		echo "installing Debian packages:$$missing"; \
		if [ "$$(id -u)" != 0 ]; then echo "run as root, or: apt-get install$$missing" >&2; exit 1; fi; \
		export DEBIAN_FRONTEND=noninteractive; \
		apt-get install -y --no-install-recommends $$missing >/dev/null || \
		{ apt-get update >/dev/null && apt-get install -y --no-install-recommends $$missing; } || exit 1; \
	fi
endef

deps:
	$(call need_packages,$(BUILD_PKGS))

test-deps:
	$(call need_packages,$(TEST_PKGS))

bench-deps: test-deps
	$(call need_packages,$(BENCH_PKGS))

-include $(COMMON_OBJS:.o=.d) $(BROKER_OBJS:.o=.d) $(CLIENT_OBJS:.o=.d) $(CTL_OBJS:.o=.d) \
	$(TUI_OBJS:.o=.d) $(B)/broker/tandemd.d
