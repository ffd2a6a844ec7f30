# The steps of the bare-metal lifecycle WorkflowTemplates. `make demo` and `make test` are the
# README's two commands; both do their own set-up on a fresh Debian machine.
SHELL := /bin/bash
SWIFT ?= swift
STEPS := nautobot-api get-device-nautobot get-obm-ip get-obm-creds obm-sync-creds obm-firmware-update get-devices-nautobot fleet-rollout get-firmware-inventory firmware-plan
SWIFT_SOURCES := Sources Tests Package.swift

.PHONY: all build test lint format demo bench validate images test-images deps real-nautobot-up real-nautobot-down clean

all: build

# System packages the build needs (libcurl's headers, openssl for the simulators' test CA).
deps:
	@scripts/install-deps.sh

# Release binaries, Swift runtime linked in, stripped copies in .build/steps/.
build: deps
	@for s in $(STEPS); do $(SWIFT) build -c release --static-swift-stdlib --product $$s || exit 1; done
	@mkdir -p .build/steps
	@bin=$$($(SWIFT) build -c release --show-bin-path); for s in $(STEPS); do \
		strip -o .build/steps/$$s $$bin/$$s; printf '%-22s %s bytes stripped\n' $$s $$(stat -c %s .build/steps/$$s); done

# Unit tests and the step binaries driven against the simulators; against a real Nautobot too
# when NAUTOBOT_REAL_URL/NAUTOBOT_REAL_TOKEN are set (.ci/run starts one).
test: deps
	$(SWIFT) build --build-tests
	STEP_BIN_DIR=$$($(SWIFT) build --show-bin-path) $(SWIFT) test
	@[ -n "$$NAUTOBOT_REAL_URL" ] || echo "note: no NAUTOBOT_REAL_URL: the steps ran against the simulator only (.ci/run also runs them against a real Nautobot)"

lint:
	$(SWIFT) format lint --strict --recursive $(SWIFT_SOURCES)

# What `kubectl apply -k` deploys: rendered, checked against Argo's JSON schema (v3.7 and v4.1),
# the step contract, and (when installed) kubernetes-validate --strict.
validate:
	python3 scripts/validate-deploy.py
	$(SWIFT) build --product steps-runner
	$$($(SWIFT) build --show-bin-path)/steps-runner lint --templates workflowtemplates

# The step images, built offline with podman (see scripts/images.sh), then run by hand.
images:
	scripts/images.sh build

test-images: images
	$(SWIFT) build --product simulator
	hadolint images/Containerfile
	scripts/test-images.sh $$($(SWIFT) build --show-bin-path)

format:
	$(SWIFT) format --in-place --recursive $(SWIFT_SOURCES)

# Starts the simulators, runs the steps against them, shows what they output, stops everything.
# `make demo NAUTOBOT=real` uses the local Nautobot of `make real-nautobot-up` instead.
NAUTOBOT ?= simulator
demo: deps
	@for p in simulator steps-runner $(STEPS); do $(SWIFT) build --product $$p || exit 1; done
	@NAUTOBOT=$(NAUTOBOT) scripts/demo.sh $$($(SWIFT) build --show-bin-path)

# Release binaries against the simulators, each next to curl doing the same; writes BENCHMARKS.md.
bench: build
	@scripts/install-deps.sh bench
	$(SWIFT) build -c release --product simulator
	$(SWIFT) build -c release --product steps-runner
	scripts/bench.sh $$($(SWIFT) build -c release --show-bin-path) $$($(SWIFT) build -c release --show-bin-path)

real-nautobot-up:
	scripts/real-nautobot.sh up
	python3 scripts/load-nautobot-inventory.py http://127.0.0.1:8080 $$(scripts/real-nautobot.sh env | sed -n 's/^NAUTOBOT_REAL_TOKEN=//p')
	python3 scripts/load-nautobot-inventory.py http://127.0.0.1:8080 $$(scripts/real-nautobot.sh env | sed -n 's/^NAUTOBOT_REAL_TOKEN=//p') \
		fixtures/fleet-inventory.json --without-software

real-nautobot-down:
	scripts/real-nautobot.sh down

clean:
	rm -rf .build
