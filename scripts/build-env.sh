# Sourced by the build scripts (test.sh, test-sanitizers.sh, fuzz.sh): compile through ccache
# when it is installed, so a rebuild (another clone, the next CI run on the same machine) reuses
# what was compiled before instead of taking many minutes on two cores. REDIAL_CCACHE=0 turns
# it off. Paths are hashed relative to the clone, and not its directory, so that two clones
# share the cache (debug info may then name the other clone's build directory).
CMAKE_LAUNCHER_ARGS=()
if [ "${REDIAL_CCACHE:-1}" != 0 ] && command -v ccache >/dev/null; then
  export CCACHE_BASEDIR="${CCACHE_BASEDIR:-$(pwd -P)}"
  export CCACHE_NOHASHDIR=1
  CMAKE_LAUNCHER_ARGS=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache -DCMAKE_C_COMPILER_LAUNCHER=ccache)
fi
