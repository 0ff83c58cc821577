#!/usr/bin/env bash
# Runs the whole test suite. Installs the Debian peers the interop tests need when they
# are missing (apt-get, as root or through sudo), then runs `cargo test --workspace`.
# Extra arguments go to cargo test.
set -euo pipefail
cd "$(dirname "$0")/.."

# Debian packages the tests talk to or read (one per line: package, then a file that
# proves it is installed).
peers=(
  "libtspi-dev /usr/include/tss/tpm.h"
  "swtpm /usr/bin/swtpm"
  "swtpm-tools /usr/bin/swtpm_ioctl"
  "openssl /usr/bin/openssl"
  "trousers /usr/sbin/tcsd"
  "tpm-tools /usr/sbin/tpm_version"
  "expect /usr/bin/expect"
  "qemu-system-x86 /usr/bin/qemu-system-x86_64"
)

missing=()
for p in "${peers[@]}"; do
  read -r pkg file <<<"$p"
  [ -e "$file" ] || missing+=("$pkg")
done

if [ ${#missing[@]} -gt 0 ]; then
  echo "test.sh: installing missing Debian peers: ${missing[*]}"
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  export DEBIAN_FRONTEND=noninteractive
  $sudo apt-get update -qq
  $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

exec cargo test --workspace "$@"
