# What `make install` and `cpack -G DEB` put where: the binary, the man page (gzipped, as Debian
# wants it), the bash, zsh and fish completions and the systemd units in Debian's directories,
# and the licence as the package's copyright file. The .deb's Depends come from the binary's
# shared libraries (dpkg-shlibdeps).
include(GNUInstallDirs)

set(PBS_MAN_GZ ${CMAKE_CURRENT_BINARY_DIR}/pbs-s3sync.1.gz)
add_custom_command(OUTPUT ${PBS_MAN_GZ}
  COMMAND gzip -9n -c ${CMAKE_CURRENT_SOURCE_DIR}/man/pbs-s3sync.1 > ${PBS_MAN_GZ}
  DEPENDS man/pbs-s3sync.1 VERBATIM)
add_custom_target(man_page ALL DEPENDS ${PBS_MAN_GZ})

install(TARGETS pbs-s3sync RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
install(FILES ${PBS_MAN_GZ} DESTINATION ${CMAKE_INSTALL_MANDIR}/man1)
install(FILES completions/pbs-s3sync.bash DESTINATION ${CMAKE_INSTALL_DATADIR}/bash-completion/completions
        RENAME pbs-s3sync)
install(FILES completions/_pbs-s3sync DESTINATION ${CMAKE_INSTALL_DATADIR}/zsh/vendor-completions)
install(FILES completions/pbs-s3sync.fish DESTINATION ${CMAKE_INSTALL_DATADIR}/fish/vendor_completions.d)
install(FILES systemd/pbs-s3sync@.service systemd/pbs-s3sync@.timer systemd/pbs-s3sync-all.service
              systemd/pbs-s3sync-all.timer DESTINATION lib/systemd/system)
install(FILES LICENSE DESTINATION ${CMAKE_INSTALL_DATADIR}/doc/pbs-s3sync RENAME copyright)

set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME pbs-s3sync)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_PACKAGE_CONTACT "pbs-s3sync developers <pbs-s3sync@localhost>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "mirror a Proxmox Backup Server datastore to S3 and back")
set(CPACK_DEBIAN_PACKAGE_DESCRIPTION "Mirrors a Proxmox Backup Server datastore to S3-compatible object
 storage in PBS 4.x's own S3 layout, checks the remote copy and restores it into a datastore PBS
 accepts. One executable run from a systemd timer or cron; it exits with a summary, an exit code
 and a Prometheus metrics file.")
set(CPACK_DEBIAN_PACKAGE_SECTION admin)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_STRIP_FILES ON)
include(CPack)
