# Warnings for eventwire's own targets. Errors only with EVENTWIRE_DEVELOPER (the dev preset):
# consumers building eventwire with a newer compiler must not fail on a new warning.
function(eventwire_set_warnings target)
  if(CMAKE_CXX_COMPILER_ID MATCHES "GNU|Clang")
    target_compile_options(${target} PRIVATE -Wall -Wextra -Wpedantic -Wshadow -Wconversion
                                             -Wno-sign-conversion)
    if(EVENTWIRE_DEVELOPER)
      target_compile_options(${target} PRIVATE -Werror)
    endif()
  endif()
endfunction()
