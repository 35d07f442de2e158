# Sourced by meshwork-proxy and meshwork-control-api: picks a data directory the process can write.
# A container may run as a uid with no home, with a read-only root file system, with only /tmp (an
# emptyDir, a tmpfs) or a volume writable; the process should start all the same without being told.

# Whether DIR is, or could be created as, a directory this user can write. Nothing is created here:
# the proxy and the control API create their directories themselves.
can_write() {
  local dir=$1 parent
  while [ ! -e "$dir" ]; do
    parent=$(dirname "$dir")
    [ "$parent" != "$dir" ] || return 1   # "." or "/" we may not even look at
    dir=$parent
  done
  [ -d "$dir" ] && [ -w "$dir" ]
}

# choose_data_dir VARIABLE NAME CANDIDATE...: unless VARIABLE is set, exports it as the first candidate
# this user can write, else as ${TMPDIR:-/tmp}/meshwork-NAME-UID (said on stderr: that data lasts only
# as long as /tmp does).
choose_data_dir() {
  local variable=$1 name=$2 dir
  shift 2
  [ -z "${!variable:-}" ] || return 0
  for dir in "$@"; do
    if can_write "$dir"; then
      export "$variable=$dir"
      return 0
    fi
  done
  dir="${TMPDIR:-/tmp}/meshwork-$name-$(id -u)"
  # In a shared /tmp only a directory of our own: anyone could have created that name first.
  if can_write "$dir" && { [ ! -e "$dir" ] || [ -O "$dir" ]; }; then
    export "$variable=$dir"
    echo "$name: none of $* is writable: $variable=$dir (mount a volume, or set $variable, to keep it)" >&2
  else
    echo "$name: none of $* $dir is writable; set $variable" >&2
  fi
}
