# Shared by scripts/demo and scripts/test: install what is missing, then configure and build.
# Sourced, not run.

# Debian packages eventwire builds and tests with. Installed only when missing.
EVENTWIRE_PACKAGES=(cmake ninja-build g++ nlohmann-json3-dev libfmt-dev catch2 libsqlite3-dev libcli11-dev python3 python3-jinja2)

ensure_packages() {
  local missing=()
  for pkg in "${EVENTWIRE_PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' || missing+=("$pkg")
  done
  # python3 with Jinja2 may come from elsewhere (pyenv): then Debian's copy is not needed.
  if python3 -c 'import jinja2' >/dev/null 2>&1; then
    missing=("${missing[@]/python3-jinja2/}")
    missing=("${missing[@]/python3/}")
  fi
  local wanted=()
  for pkg in "${missing[@]}"; do [ -n "$pkg" ] && wanted+=("$pkg"); done
  [ ${#wanted[@]} -eq 0 ] && return 0
  echo "==> installing missing Debian packages: ${wanted[*]}"
  local sudo=""
  [ "$(id -u)" -ne 0 ] && sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${wanted[@]}"
}

# configure_and_build PRESET [TARGET...]
configure_and_build() {
  local preset=$1
  shift
  cmake --preset "$preset" >/dev/null
  if [ $# -gt 0 ]; then
    cmake --build --preset "$preset" --target "$@"
  else
    cmake --build --preset "$preset"
  fi
}
