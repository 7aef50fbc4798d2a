# Prints, between two NUL bytes, the words zsh's completion offers for the command line $1 (ending
# where TAB is pressed), with the completion functions of directory $2 first in fpath: an
# interactive zsh on a pseudo-terminal does the completion, compadd prints what it is given.
zmodload zsh/zpty || exit 2
zpty z zsh -f -i
zpty -w z "fpath=(${(q)2} \$fpath); source ${(q)0:A:h}/zsh_complete_init.zsh"
zpty -w z "$1"$'\t'
local out= chunk
while zpty -r z chunk; do
  out+=$chunk
  [[ ${#out//[^$'\0']/} -ge 2 ]] && break  # the second NUL: the completion is over
done
zpty -d z
print -rn -- "$out"
