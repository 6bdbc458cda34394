# bash completion for pbs-s3sync: subcommands, their options, and for DATASTORE and TARGET the
# datastores of /etc/proxmox-backup/datastore.cfg and the STORAGE ids of the configuration
# (--config FILE on the line, else $PBS_S3SYNC_CONFIG, else /etc/pbs.conf).

# The STORAGE ids of a configuration file: STORAGE=s3://BUCKET@ID:...
_pbs_s3sync_storage_ids() {
  local conf=$1
  [ -r "$conf" ] || return
  sed -n 's/^[[:space:]]*STORAGE=["'\'']*s3:\/\/[^@]*@\([^:]*\):.*/\1/p' "$conf"
}

# The datastore names PBS knows: "datastore: NAME" sections of datastore.cfg.
_pbs_s3sync_datastores() {
  local cfg=${PBS_S3SYNC_DATASTORE_CFG:-/etc/proxmox-backup/datastore.cfg}
  [ -r "$cfg" ] || return
  sed -n 's/^datastore:[[:space:]]*\([^[:space:]]*\).*/\1/p' "$cfg"
}

_pbs_s3sync() {
  local cur prev
  cur=${COMP_WORDS[COMP_CWORD]}
  prev=${COMP_WORDS[COMP_CWORD-1]}
  local commands="sync restore extract verify list gc key status unlock config"
  local common="--config -j --parallelism --bandwidth-limit --tps-limit --weight --dry-run --output --progress --metrics-file -v --verbose -q --quiet --lock-file --max-outage --help --version"
  local takes_value=" --config -j --parallelism --bandwidth-limit --tps-limit --weight --output --progress --metrics-file --lock-file --max-outage --mode --ns --max-depth --group-filter --transfer-last --max-delete --group --snapshot --sample --grace --datastore --object-lock --object-lock-days --point-in-time --passphrase-file --keyfile --kdf "

  # The subcommand, the configuration file, and how many positionals come before the cursor.
  local cmd="" conf=${PBS_S3SYNC_CONFIG:-/etc/pbs.conf} positionals=0 i word
  for ((i = 1; i < COMP_CWORD; i++)); do
    word=${COMP_WORDS[i]}
    if [[ $takes_value == *" $word "* ]]; then
      [ "$word" = --config ] && conf=${COMP_WORDS[i+1]}
      ((i++))
    elif [[ $word == --config=* ]]; then
      conf=${word#--config=}
    elif [[ $word != -* ]]; then
      if [ -z "$cmd" ]; then cmd=$word; else ((positionals++)); fi
    fi
  done

  case $prev in
    --output) COMPREPLY=($(compgen -W "text json" -- "$cur")); return ;;
    --mode) COMPREPLY=($(compgen -W "incremental full" -- "$cur")); return ;;
    --group-filter) COMPREPLY=($(compgen -W "type:vm type:ct type:host group: regex: include: exclude:" -- "$cur")); return ;;
    --progress) COMPREPLY=($(compgen -W "auto always never" -- "$cur")); return ;;
    --kdf) COMPREPLY=($(compgen -W "none scrypt" -- "$cur")); return ;;
    --config|--metrics-file|--lock-file|--passphrase-file|--keyfile) COMPREPLY=($(compgen -f -- "$cur")); return ;;
    --datastore) COMPREPLY=($(compgen -W "$(_pbs_s3sync_datastores)" -- "$cur")); return ;;
    --object-lock) COMPREPLY=($(compgen -W "GOVERNANCE COMPLIANCE off" -- "$cur")); return ;;
  esac
  if [[ $takes_value == *" $prev "* ]]; then return; fi  # a value we cannot guess

  if [ -z "$cmd" ]; then
    COMPREPLY=($(compgen -W "$commands $common" -- "$cur"))
    return
  fi
  local options="" targets datastores
  targets=$(_pbs_s3sync_storage_ids "$conf")
  datastores=$(_pbs_s3sync_datastores)
  local words="" paths=0  # what the next positional can be; paths=1: a datastore directory too
  case $cmd in
    sync)
      options="--mode --ns --max-depth --group-filter --transfer-last --encrypted-only --verified-only --remove-vanished --max-delete --if-due --all --force-in-use --take-over --object-lock --object-lock-days --encrypt --passphrase-file --keyfile"
      if [ "$positionals" -eq 0 ]; then words=$datastores paths=1; else words=$targets; fi ;;
    restore)
      options="--ns --max-depth --group --snapshot --latest --point-in-time --decrypt --passphrase-file --keyfile --restore-tier --restore-days --request-only"
      if [ "$positionals" -eq 0 ]; then words=$targets; else words=$datastores paths=1; fi ;;
    extract)
      options="--ns --point-in-time --force --zeroed-device --passphrase-file --keyfile --restore-tier --restore-days --request-only"
      if [ "$positionals" -eq 0 ]; then words=$targets; elif [ "$positionals" -eq 3 ]; then COMPREPLY=($(compgen -f -- "$cur")); return; fi ;;
    verify) options="--ns --max-depth --deep --sample --point-in-time --passphrase-file --keyfile --restore-tier --restore-days --request-only"; words="$targets $datastores" paths=1 ;;
    list) options="--ns --max-depth --point-in-time --snapshot"; words="$targets $datastores" paths=1 ;;
    gc) options="--grace"; words=$targets ;;
    key)
      if [ "$positionals" -eq 0 ]; then COMPREPLY=($(compgen -W "show export" -- "$cur")); return; fi
      options="--passphrase-file --keyfile --kdf"; words=$targets ;;
    status|unlock)
      [ "$cmd" = status ] && options="--check" || options="--force"
      if [ "$positionals" -eq 0 ]; then words=$datastores paths=1; else words=$targets; fi ;;
    config)
      if [ "$positionals" -eq 0 ]; then COMPREPLY=($(compgen -W "check" -- "$cur")); return; fi
      options="--datastore"; words=$targets ;;
  esac
  if [[ $cur == -* ]]; then
    COMPREPLY=($(compgen -W "$options $common" -- "$cur"))
  else
    COMPREPLY=($(compgen -W "$words" -- "$cur"))
    if [ "$paths" = 1 ]; then COMPREPLY+=($(compgen -d -- "$cur")); fi
  fi
  return 0
}
complete -F _pbs_s3sync pbs-s3sync
