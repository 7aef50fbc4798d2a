# Sourced by zsh_complete.zsh in the interactive zsh: TAB completes, and the completion prints
# its words between two NUL bytes, then exits the shell.
PROMPT= RPROMPT=
autoload -U compinit && compinit -u -d "$ZCOMPDUMP"  # made by the first run, read by the rest
bindkey '^I' complete-word
_nul() { print -n $'\0' }
compprefuncs=(_nul)
comppostfuncs=(_nul exit)
compadd() {
  # Calls that only ask which words would match (-O, -A, -D) are passed through.
  if [[ ${@[1,(i)(-|--)]} == *-(O|A|D)\ * ]]; then builtin compadd "$@"; return $?; fi
  local -a hits
  builtin compadd -A hits "$@"
  (( $#hits )) && print -rl -- $hits
}
