# The addon that ships: node-gyp-build loads it, prebuildify packs it, and npm install
# builds it from source when no prebuild matches. Two targets, as in CMakeLists.txt:
# bi_core (native/, a static library that sees no Node header: node-gyp's own include
# dirs are removed from it and node-addon-api is not added, so a napi.h include in
# native/ fails to compile) and bi_embed (bindings/, the glue, linked against bi_core).
# Sources come from native/sources.json. No -march=native: SIMD paths are chosen at run time.
{
  "target_defaults": {
    "cflags!": ["-fno-exceptions"],
    "cflags_cc!": ["-fno-exceptions", "-std=gnu++14", "-std=gnu++17", "-std=gnu++20"],
    "cflags_cc": ["-std=c++17", "-O3", "-fno-math-errno"],
    "xcode_settings": {
      "GCC_ENABLE_CPP_EXCEPTIONS": "YES",
      "CLANG_CXX_LANGUAGE_STANDARD": "c++17",
      "MACOSX_DEPLOYMENT_TARGET": "10.15",
      "OTHER_CPLUSPLUSFLAGS": ["-O3", "-fno-math-errno"]
    },
    "msvs_settings": {
      "VCCLCompilerTool": { "ExceptionHandling": 1, "AdditionalOptions": ["/std:c++17", "/O2"] }
    }
  },
  "targets": [
    {
      "target_name": "bi_core",
      "type": "static_library",
      "sources": [
        "<!@(node -p \"Object.values(require('./native/sources.json').core).flat().join(' ')\")"
      ],
      "include_dirs": ["native/include"],
      "include_dirs!": [
        "<(node_root_dir)/include/node",
        "<(node_root_dir)/src",
        "<(node_root_dir)/deps/openssl/config",
        "<(node_root_dir)/deps/openssl/openssl/include",
        "<(node_root_dir)/deps/uv/include",
        "<(node_root_dir)/deps/zlib",
        "<(node_root_dir)/<(node_engine_include_dir)"
      ],
      "direct_dependent_settings": { "include_dirs": ["native/include"] },
      "conditions": [
        ["OS=='linux'", { "link_settings": { "libraries": ["-lpthread"] } }]
      ]
    },
    {
      "target_name": "bi_embed",
      "dependencies": ["bi_core"],
      "sources": [
        "<!@(node -p \"require('./native/sources.json').bindings.join(' ')\")"
      ],
      "include_dirs": ["<!(node -p \"require('node-addon-api').include_dir\")"],
      "defines": ["NAPI_VERSION=8", "NAPI_CPP_EXCEPTIONS", "NODE_ADDON_API_DISABLE_DEPRECATED"]
    }
  ]
}
