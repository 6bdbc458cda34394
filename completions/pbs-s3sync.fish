# fish completion for pbs-s3sync: subcommands, options, and the STORAGE ids of /etc/pbs.conf (or
# $PBS_S3SYNC_CONFIG) and the datastores of datastore.cfg as arguments.
set -l cmds sync restore verify list gc key status unlock config
function __pbs_s3sync_targets
    set -l conf /etc/pbs.conf
    set -q PBS_S3SYNC_CONFIG; and set conf $PBS_S3SYNC_CONFIG
    test -r $conf; and sed -n 's/^[[:space:]]*STORAGE=["\']*s3:\/\/[^@]*@\([^:]*\):.*/\1/p' $conf
end
function __pbs_s3sync_datastores
    set -l cfg /etc/proxmox-backup/datastore.cfg
    set -q PBS_S3SYNC_DATASTORE_CFG; and set cfg $PBS_S3SYNC_DATASTORE_CFG
    test -r $cfg; and sed -n 's/^datastore:[[:space:]]*\([^[:space:]]*\).*/\1/p' $cfg
end
complete -c pbs-s3sync -n "__fish_seen_subcommand_from sync restore verify list gc status unlock check" -a "(__pbs_s3sync_targets)" -d 'STORAGE target'
complete -c pbs-s3sync -n "__fish_seen_subcommand_from sync restore verify list status unlock" -a "(__pbs_s3sync_datastores)" -d 'Datastore'
complete -c pbs-s3sync -f -n "not __fish_seen_subcommand_from $cmds" -a sync -d 'Upload a datastore to S3'
complete -c pbs-s3sync -f -n "not __fish_seen_subcommand_from $cmds" -a restore -d 'Restore a datastore from S3'
complete -c pbs-s3sync -f -n "not __fish_seen_subcommand_from $cmds" -a verify -d 'Check a datastore'
complete -c pbs-s3sync -f -n "not __fish_seen_subcommand_from $cmds" -a list -d 'Namespaces, groups, snapshots, sizes'
complete -c pbs-s3sync -f -n "not __fish_seen_subcommand_from $cmds" -a gc -d 'Delete unreferenced remote chunks'
complete -c pbs-s3sync -f -n "not __fish_seen_subcommand_from $cmds" -a status -d 'Lock holder, last run'
complete -c pbs-s3sync -f -n "not __fish_seen_subcommand_from $cmds" -a unlock -d 'Clear a stale lock'
complete -c pbs-s3sync -f -n "not __fish_seen_subcommand_from $cmds" -a config -d 'Configuration tools'
complete -c pbs-s3sync -n "__fish_seen_subcommand_from config" -a check -d 'Check the configuration'
complete -c pbs-s3sync -l config -r -d 'Configuration file'
complete -c pbs-s3sync -s j -l parallelism -x -d 'Concurrent requests'
complete -c pbs-s3sync -l bandwidth-limit -x -d 'Transfer limit, e.g. 50M, or a timetable'
complete -c pbs-s3sync -l tps-limit -x -d 'Requests per second at most'
complete -c pbs-s3sync -l dry-run -d 'Send no write'
complete -c pbs-s3sync -l output -x -a 'text json' -d 'Output format'
complete -c pbs-s3sync -l progress -x -a 'auto always never' -d 'Progress line'
complete -c pbs-s3sync -l metrics-file -r -d 'Prometheus textfile'
complete -c pbs-s3sync -s v -l verbose -d 'More output'
complete -c pbs-s3sync -s q -l quiet -d 'Less output'
complete -c pbs-s3sync -l lock-file -r -d 'Lock file'
complete -c pbs-s3sync -l max-outage -x -d 'How long the endpoint may be gone'
complete -c pbs-s3sync -n "__fish_seen_subcommand_from list verify" -l ns -x -d 'Namespace'
complete -c pbs-s3sync -n "__fish_seen_subcommand_from list verify" -l max-depth -x -d 'Namespace levels'
complete -c pbs-s3sync -n "__fish_seen_subcommand_from sync" -l mode -x -a 'incremental full' -d 'Plan mode'
complete -c pbs-s3sync -n "__fish_seen_subcommand_from sync" -l ns -x -d 'Namespace'
complete -c pbs-s3sync -n "__fish_seen_subcommand_from sync" -l max-depth -x -d 'Namespace levels'
complete -c pbs-s3sync -n "__fish_seen_subcommand_from sync" -l group-filter -x -d 'PBS group filter'
complete -c pbs-s3sync -n "__fish_seen_subcommand_from sync" -l transfer-last -x -d 'Newest N per group'
complete -c pbs-s3sync -n "__fish_seen_subcommand_from sync" -l encrypted-only -d 'Only encrypted snapshots'
complete -c pbs-s3sync -n "__fish_seen_subcommand_from sync" -l verified-only -d 'Only verified snapshots'
complete -c pbs-s3sync -n "__fish_seen_subcommand_from sync" -l remove-vanished -d 'Delete remote snapshots gone locally'
complete -c pbs-s3sync -n "__fish_seen_subcommand_from sync" -l max-delete -x -d 'Delete at most N'
complete -c pbs-s3sync -n "__fish_seen_subcommand_from sync" -l if-due -d 'Only when due'
complete -c pbs-s3sync -n "__fish_seen_subcommand_from sync" -l force-in-use -d 'Write into a prefix PBS uses'
complete -c pbs-s3sync -n "__fish_seen_subcommand_from sync" -l take-over -d 'Own a prefix another source synced to'
complete -c pbs-s3sync -n "__fish_seen_subcommand_from sync" -l object-lock -x -a 'GOVERNANCE COMPLIANCE' -d 'Lock every object written'
complete -c pbs-s3sync -n "__fish_seen_subcommand_from sync" -l object-lock-days -x -d 'Days each object stays locked'
complete -c pbs-s3sync -n "__fish_seen_subcommand_from restore list verify" -l point-in-time -x -d 'The bucket as it was at TIME'
complete -c pbs-s3sync -n "__fish_seen_subcommand_from status" -l check -d 'Exit 1 when overdue'
complete -c pbs-s3sync -n "__fish_seen_subcommand_from unlock" -l force -d 'Clear a dead run record'
complete -c pbs-s3sync -n "__fish_seen_subcommand_from restore" -l group -x -d 'TYPE/ID'
complete -c pbs-s3sync -n "__fish_seen_subcommand_from restore" -l snapshot -x -d 'TYPE/ID/TIME'
complete -c pbs-s3sync -n "__fish_seen_subcommand_from restore" -l latest -d 'Newest snapshot per group'
complete -c pbs-s3sync -n "__fish_seen_subcommand_from verify" -l deep -d 'Download and check chunks'
complete -c pbs-s3sync -n "__fish_seen_subcommand_from verify" -l sample -x -d 'Percent of chunks with --deep'
complete -c pbs-s3sync -f -n "not __fish_seen_subcommand_from $cmds" -a key -d 'The encryption key of a target'
complete -c pbs-s3sync -f -n "__fish_seen_subcommand_from key; and not __fish_seen_subcommand_from show export" -a 'show export'
complete -c pbs-s3sync -n "__fish_seen_subcommand_from sync" -l encrypt -d 'Encrypt plain snapshots in PBS format'
complete -c pbs-s3sync -n "__fish_seen_subcommand_from restore" -l decrypt -d 'Write the plain originals back'
complete -c pbs-s3sync -n "__fish_seen_subcommand_from sync restore verify key" -l passphrase-file -r -F -d 'Passphrase of the stored key'
complete -c pbs-s3sync -n "__fish_seen_subcommand_from sync restore verify key" -l keyfile -r -F -d 'A PBS key file'
complete -c pbs-s3sync -n "__fish_seen_subcommand_from export" -l kdf -x -a 'none scrypt' -d 'Protect the exported key'
complete -c pbs-s3sync -n "__fish_seen_subcommand_from gc" -l grace -x -d 'Keep younger unreferenced chunks'
