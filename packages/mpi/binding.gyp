{
  "targets": [
    {
      "target_name": "parafit_mpi",
      "sources": ["native/parafit_mpi.cc", "native/mpi_state.cc", "native/progress_thread.cc", "native/doorbell.cc", "native/arrivals.cc", "native/loop_bell.cc", "native/loop_receiver.cc"],
      "include_dirs": ["<!(node -p \"require('node-addon-api').include_dir\")"],
      "cflags_cc": ["<!@(node scripts/mpi-flags.mjs compile)", "-pthread"],
      "libraries": ["<!@(node scripts/mpi-flags.mjs link)", "-ldl", "-pthread"],
      "defines": ["NAPI_VERSION=8", "NAPI_DISABLE_CPP_EXCEPTIONS", "OMPI_SKIP_MPICXX", "MPICH_SKIP_MPICXX"]
    }
  ]
}
