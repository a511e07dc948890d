# Build targets for `sam build` (every function has `BuildMethod: makefile` and `CodeUri: .`, so SAM runs
# `make build-<LogicalId>` with the whole multi-module project present). Each target builds one function module
# and unpacks its Lambda bundle into the artifacts folder SAM provides. The builds need JDK 17+ and Maven, not Node:
# with -DskipTests the root POM leaves out the install of the Node tools, which only the tests and the local stack
# use. .ci/lambda-bundles runs every target with no Node on the PATH and each bundle on its first event.

MVN ?= mvn -q -B -DskipTests
# The project version, from the root POM (the first <version> in it is the project's own)
VERSION := $(shell sed -n '0,/<version>/s:.*<version>\(.*\)</version>.*:\1:p' pom.xml)

define lambda_bundle
	$(MVN) -pl functions/$(1) -am package
	cd "$(ARTIFACTS_DIR)" && unzip -q -o "$(CURDIR)/functions/$(1)/target/$(1)-$(VERSION)-lambda.jar"
endef

build-SubmitFunction:
	$(call lambda_bundle,submit)

build-StatusFunction:
	$(call lambda_bundle,status)

build-AuthorizerFunction:
	$(call lambda_bundle,authorizer)

build-WorkerFunction:
	$(call lambda_bundle,worker)

build-ReconcilerFunction:
	$(call lambda_bundle,reconciler)

build-WebhookFunction:
	$(call lambda_bundle,webhook)

build-StreamFunction:
	$(call lambda_bundle,stream)

.PHONY: build-SubmitFunction build-StatusFunction build-AuthorizerFunction build-WorkerFunction \
	build-ReconcilerFunction build-WebhookFunction build-StreamFunction
