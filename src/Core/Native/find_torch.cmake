# Locates libtorch for the shim, in this order:
#   1. Torch_DIR (a folder holding TorchConfig.cmake), as CMake itself honours it;
#   2. LIBTORCH (environment or -D): the root of an unpacked libtorch or a PyTorch install;
#   3. Debian's libtorch-dev (/usr/lib/<multiarch>/cmake/Torch), found by the default search;
#   4. the libtorch inside a pip-installed PyTorch (python3 -c 'import torch').
if(NOT DEFINED LIBTORCH AND DEFINED ENV{LIBTORCH})
  set(LIBTORCH "$ENV{LIBTORCH}")
endif()
if(DEFINED LIBTORCH)
  list(PREPEND CMAKE_PREFIX_PATH "${LIBTORCH}" "${LIBTORCH}/share/cmake")
endif()

find_package(Torch QUIET)
if(NOT Torch_FOUND)
  find_package(Python3 COMPONENTS Interpreter QUIET)
  if(Python3_FOUND)
    execute_process(
      COMMAND ${Python3_EXECUTABLE} -c "import torch, sys; sys.stdout.write(torch.utils.cmake_prefix_path)"
      OUTPUT_VARIABLE RELIC_PIP_TORCH_PREFIX RESULT_VARIABLE RELIC_PIP_RESULT ERROR_QUIET)
    if(RELIC_PIP_RESULT EQUAL 0)
      list(APPEND CMAKE_PREFIX_PATH "${RELIC_PIP_TORCH_PREFIX}")
      find_package(Torch QUIET)
    endif()
  endif()
endif()
if(NOT Torch_FOUND)
  message(FATAL_ERROR
    "libtorch was not found. Install Debian's libtorch-dev (scripts/bootstrap.sh does), "
    "or set LIBTORCH to the root of a libtorch distribution, or Torch_DIR to the folder holding TorchConfig.cmake.")
endif()
message(STATUS "relic_torch: using libtorch from ${Torch_DIR}")
