{
  "target_defaults": {
    "cflags_cc": ["-std=c++17", "-O3", "-fPIC", "-fno-math-errno", "-ffp-contract=off"],
    "cflags_cc!": ["-fno-exceptions", "-O2", "-O0"],
    "cflags!": ["-fno-exceptions"]
  },
  "targets": [
    {
      "target_name": "ov_avx512",
      "type": "static_library",
      "sources": ["src/isa_avx512.cc"],
      "cflags_cc": ["-Wno-uninitialized", "-Wno-maybe-uninitialized", "-mavx512f", "-mavx512dq", "-mavx512vl", "-mavx512bw", "-mavx2", "-mfma", "-mprfchw"]
    },
    {
      "target_name": "ov_avx2",
      "type": "static_library",
      "sources": ["src/isa_avx2.cc"],
      "cflags_cc": ["-mavx2", "-mfma"]
    },
    {
      "target_name": "ov_scalar",
      "type": "static_library",
      "sources": ["src/isa_scalar.cc"]
    },
    {
      "target_name": "overparam",
      "sources": ["src/addon.cc", "src/pool.cc", "src/eigen.cc", "src/movement.cc", "src/bound.cc"],
      "dependencies": ["ov_avx512", "ov_avx2", "ov_scalar"],
      "include_dirs": ["<!(node -p \"require('node-addon-api').include_dir\")"],
      "defines": ["NAPI_VERSION=8", "NAPI_CPP_EXCEPTIONS"],
      "libraries": ["-lpthread"]
    }
  ]
}
