# bash completion for pbs-s3sync
_pbs_s3sync() {
  local cur prev cmd
  cur=${COMP_WORDS[COMP_CWORD]}
  prev=${COMP_WORDS[COMP_CWORD-1]}
  cmd=${COMP_WORDS[1]}
  local commands="sync restore verify list gc status unlock config"
  local common="--config -j --parallelism --bandwidth-limit --dry-run --output --progress --metrics-file -v --verbose -q --quiet --lock-file --help --version"
  case $prev in
    --output) COMPREPLY=($(compgen -W "text json" -- "$cur")); return ;;
    --mode) COMPREPLY=($(compgen -W "incremental full" -- "$cur")); return ;;
    --group-filter) COMPREPLY=($(compgen -W "type:vm type:ct type:host group: regex: include: exclude:" -- "$cur")); return ;;
    --progress) COMPREPLY=($(compgen -W "auto always never" -- "$cur")); return ;;
    --config|--metrics-file|--lock-file) COMPREPLY=($(compgen -f -- "$cur")); return ;;
  esac
  if [ "$COMP_CWORD" -eq 1 ]; then
    COMPREPLY=($(compgen -W "$commands $common" -- "$cur"))
    return
  fi
  case $cmd in
    list) COMPREPLY=($(compgen -W "--ns --max-depth $common" -- "$cur")) ;;
    verify) COMPREPLY=($(compgen -W "--ns --max-depth --deep --sample $common" -- "$cur")) ;;
    restore) COMPREPLY=($(compgen -W "--ns --max-depth --group --snapshot --latest $common" -- "$cur")) ;;
    gc) COMPREPLY=($(compgen -W "--grace $common" -- "$cur")) ;;
    sync) COMPREPLY=($(compgen -W "--mode --ns --max-depth --group-filter --transfer-last --encrypted-only --verified-only --remove-vanished --max-delete --if-due --force-in-use $common" -- "$cur")) ;;
    status) COMPREPLY=($(compgen -W "--check $common" -- "$cur")) ;;
    unlock) COMPREPLY=($(compgen -W "--force $common" -- "$cur")) ;;
    config) COMPREPLY=($(compgen -W "check" -- "$cur")) ;;
    *) COMPREPLY=($(compgen -W "$common" -- "$cur")) ;;
  esac
  [[ $cur != -* ]] && COMPREPLY+=($(compgen -d -- "$cur"))
}
complete -F _pbs_s3sync pbs-s3sync
