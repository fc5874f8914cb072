#!/bin/sh
# deps.sh: make sure the Debian packages bsdvm builds with are installed.
# Installs them when run as root; otherwise prints the apt-get line to run.
set -e
need=""
pkg-config --version >/dev/null 2>&1 || need="$need pkg-config"
pkg-config --exists libbsd-overlay 2>/dev/null || need="$need libbsd-dev"
command -v cmake >/dev/null 2>&1 || need="$need cmake"
command -v cc >/dev/null 2>&1 || need="$need gcc"
# extra tools, only for the targets that name them
for extra in "$@"; do
	case "$extra" in
	clang) command -v clang >/dev/null 2>&1 || need="$need clang" ;;
	esac
done
[ -z "$need" ] && exit 0
if [ "$(id -u)" = 0 ]; then
	echo "deps: installing$need"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq
	# shellcheck disable=SC2086
	apt-get install -y -qq $need >/dev/null
else
	echo "deps: missing packages; run:" >&2
	echo "    sudo apt-get install -y$need" >&2
	exit 1
fi
