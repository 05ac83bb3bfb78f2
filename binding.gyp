# The addon that ships: node-gyp-build loads it, prebuildify packs it, and npm install
# builds it from source when no prebuild matches. Sources come from native/sources.json
# (the list CMakeLists.txt reads too). No -march=native: SIMD paths are chosen at run time.
{
  "targets": [
    {
      "target_name": "bi_embed",
      "sources": [
        "<!@(node -p \"const s=require('./native/sources.json'); Object.values(s.core).flat().concat(s.bindings).join(' ')\")"
      ],
      "include_dirs": [
        "<!(node -p \"require('node-addon-api').include_dir\")",
        "native/include"
      ],
      "defines": ["NAPI_VERSION=8", "NAPI_CPP_EXCEPTIONS", "NODE_ADDON_API_DISABLE_DEPRECATED"],
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
      },
      "conditions": [
        ["OS=='linux'", { "libraries": ["-lpthread"] }]
      ]
    }
  ]
}
