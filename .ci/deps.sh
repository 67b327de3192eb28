#!/bin/sh
# Makes sure the build's Debian packages are present. As root it installs what
# pkg-config cannot find; otherwise it prints the one apt command to run.
# `deps.sh test` adds what the tests need beyond the build (Chromium; the
# AWS CLI, Node.js and s3rver, a fake S3 server from npm, for the S3 tests).
set -u
missing=""
need() { # need PKG-CONFIG-NAME DEBIAN-PACKAGE
	pkg-config --exists "$1" 2>/dev/null || missing="$missing $2"
}
command -v pkg-config >/dev/null 2>&1 || missing="$missing pkg-config"
command -v cc >/dev/null 2>&1 || missing="$missing gcc"
command -v make >/dev/null 2>&1 || missing="$missing make"
if command -v pkg-config >/dev/null 2>&1; then
	need libcurl libcurl4-openssl-dev
	need yajl libyajl-dev
	need zlib zlib1g-dev
	need sqlite3 libsqlite3-dev
	need libcrypto libssl-dev
	need libutf8proc libutf8proc-dev
else
	missing="$missing libcurl4-openssl-dev libyajl-dev zlib1g-dev libsqlite3-dev libssl-dev libutf8proc-dev"
fi
command -v python3 >/dev/null 2>&1 || missing="$missing python3"
# the test suite also renders the HTML report in a real browser
if [ "${1:-}" = test ]; then
	command -v chromium >/dev/null 2>&1 || missing="$missing chromium"
	command -v aws >/dev/null 2>&1 || missing="$missing awscli"
	command -v node >/dev/null 2>&1 || missing="$missing nodejs"
	command -v npm >/dev/null 2>&1 || missing="$missing npm"
fi
# s3rver goes into tests/node_modules (gitignored), once Node.js is there
s3rver() {
	[ "${1:-}" = test ] || return 0
	[ -f "$(dirname "$0")/../tests/node_modules/s3rver/package.json" ] && return 0
	command -v npm >/dev/null 2>&1 || return 0
	echo "deps: npm install s3rver@3.7.1 into tests/node_modules" >&2
	npm install --no-save --no-audit --no-fund --prefix "$(dirname "$0")/../tests" s3rver@3.7.1 >&2 || {
		echo "deps: npm install s3rver failed" >&2; exit 1; }
}
[ -z "$missing" ] && { s3rver "${1:-}"; exit 0; }
if [ "$(id -u)" = 0 ]; then
	echo "deps: installing$missing" >&2
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq >&2 && apt-get install -y -qq $missing >&2 || {
		echo "deps: apt-get install failed" >&2; exit 1; }
	s3rver "${1:-}"
else
	echo "deps: missing packages; run: sudo apt-get install -y$missing" >&2
	exit 1
fi
