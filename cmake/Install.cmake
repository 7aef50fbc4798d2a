# What `cmake --install` puts under the prefix: the acrawl program, its man page and its bash and
# zsh completions. Nothing else: the fixture server, tests, benchmarks and static libraries stay
# in the build tree.
include(GNUInstallDirs)

install(TARGETS acrawl RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})

# The man page is written in scdoc (docs/acrawl.1.scd) and turned into roff at build time.
option(ACRAWL_MAN "Build and install the man page (needs scdoc)" ON)
find_program(ACRAWL_SCDOC scdoc)
if(ACRAWL_MAN AND NOT ACRAWL_SCDOC)
  # A packager's plain build goes on without the page rather than failing.
  message(WARNING
    "scdoc not found: the man page (docs/acrawl.1.scd) is neither built nor installed. "
    "Install scdoc (Debian: apt-get install scdoc; scripts/install-deps.sh does) to have it.")
  set(ACRAWL_MAN OFF)
endif()
if(ACRAWL_MAN)
  find_program(ACRAWL_GZIP gzip REQUIRED)
  set(man_dir ${CMAKE_BINARY_DIR}/docs)
  # The version goes into the page's footer.
  configure_file(${PROJECT_SOURCE_DIR}/docs/acrawl.1.scd ${man_dir}/acrawl.1.scd @ONLY)
  # Both forms: acrawl.1 for `cmake --install`, acrawl.1.gz (gzip -9n, as Debian wants) for the
  # package.
  add_custom_command(
    OUTPUT ${man_dir}/acrawl.1 ${man_dir}/acrawl.1.gz
    COMMAND ${ACRAWL_SCDOC} < ${man_dir}/acrawl.1.scd > ${man_dir}/acrawl.1
    COMMAND ${ACRAWL_GZIP} -9nc ${man_dir}/acrawl.1 > ${man_dir}/acrawl.1.gz
    DEPENDS ${man_dir}/acrawl.1.scd
    COMMENT "Generating the man page acrawl.1"
    VERBATIM)
  add_custom_target(acrawl_man ALL DEPENDS ${man_dir}/acrawl.1 ${man_dir}/acrawl.1.gz)
  # ACRAWL_GZIP_MAN is set by cpack only (CPACK_CUSTOM_INSTALL_VARIABLES in Packaging.cmake).
  install(CODE "
    set(page \"${man_dir}/acrawl.1\")
    if(ACRAWL_GZIP_MAN)
      string(APPEND page .gz)
    endif()
    file(INSTALL DESTINATION \"\${CMAKE_INSTALL_PREFIX}/${CMAKE_INSTALL_MANDIR}/man1\"
         TYPE FILE FILES \"\${page}\")")
endif()

set(ACRAWL_BASH_COMPLETION_DIR ${CMAKE_INSTALL_DATADIR}/bash-completion/completions
    CACHE STRING "Where bash completions go (relative: under the prefix)")
set(ACRAWL_ZSH_COMPLETION_DIR ${CMAKE_INSTALL_DATADIR}/zsh/vendor-completions
    CACHE STRING "Where zsh completions go (relative: under the prefix)")
install(FILES ${PROJECT_SOURCE_DIR}/completions/acrawl.bash
        DESTINATION ${ACRAWL_BASH_COMPLETION_DIR} RENAME acrawl)
install(FILES ${PROJECT_SOURCE_DIR}/completions/_acrawl DESTINATION ${ACRAWL_ZSH_COMPLETION_DIR})
