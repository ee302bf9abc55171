#!/usr/bin/env bash
# Drive the generated completion scripts in real shells (whichever are installed)
# and check a few answers: bash (COMPREPLY), zsh (autoloaded from $fpath, through
# a pty: the first Tab must complete) and fish (`complete -C`).
#
#   scripts/check_shell_completions.sh        # uses .venv/bin/vtctl
#
# tests/test_completions.py covers bash in CI; zsh and fish are not installed there.
set -uo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export PATH="$root/.venv/bin:$PATH"
home="$(mktemp -d)"; trap 'rm -rf "$home"' EXIT
export HOME="$home"
status=0
check() {  # shell, what, expected substring, actual
  if [[ "$4" == *"$3"* ]]; then echo "ok    $1: $2"; else echo "FAIL  $1: $2: wanted '$3' in: $4"; status=1; fi
}

out="$(bash --norc -c "source '$root/completions/vtctl.bash'
COMP_WORDS=(vtctl room c); COMP_CWORD=2; _vtctl_completion vtctl; echo \"\${COMPREPLY[*]}\"")"
check bash "vtctl room c<TAB>" "create" "$out"

if command -v fish >/dev/null; then
  out="$(fish -N -c "source '$root/completions/vtctl.fish'; complete -C 'vtctl room '")"
  check fish "vtctl room <TAB>" "create" "$out"
  out="$(fish -N -c "source '$root/completions/vtctl.fish'; complete -C 'vtctl token 47 --j'")"
  check fish "vtctl token 47 --j<TAB>" "--json" "$out"
else
  echo "skip  fish (not installed)"
fi

if command -v zsh >/dev/null; then
  zsh_tab() {
    zsh -f -c '
      zmodload zsh/zpty
      zpty z env PATH="$PATH" HOME="$HOME" TERM=dumb zsh -f -i
      zpty -w z "PS1=\"%% \"; fpath=($1 \$fpath); autoload -Uz compinit; compinit -u -D"
      sleep 0.5; while zpty -r -t z line; do :; done
      zpty -w -n z "$2"$'"'"'\t'"'"'
      sleep 2; out=""; while zpty -r -t z line; do out+="$line"; done
      print -r -- "$out" | tr -d "\r"
      zpty -d z' zsh "$root/completions" "$1"
  }
  check zsh "vtctl room <TAB> (first Tab, autoloaded)" "vtctl room create" "$(zsh_tab 'vtctl room ')"
  check zsh "vtctl token 47 --pro<TAB>" "--profile" "$(zsh_tab 'vtctl token 47 --pro')"
else
  echo "skip  zsh (not installed)"
fi
exit $status
