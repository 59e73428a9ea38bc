import type { CodegenConfig } from "@graphql-codegen/cli";

// Types for every operation in ../../operations (and the shared fragments),
// checked against the committed schema. An operation that does not validate
// against the schema makes `npm run generate` fail.
const config: CodegenConfig = {
  schema: "../../schema.graphql",
  documents: ["../../operations/**/*.graphql"],
  ignoreNoDocuments: false,
  emitLegacyCommonJSImports: false, // "./gql.js" imports, as NodeNext needs
  generates: {
    "./src/generated/": {
      preset: "client",
      presetConfig: {
        // Fragments are plain types here: `data.me.summary.balance.amount`
        // without useFragment().
        fragmentMasking: false,
      },
      config: {
        // Every custom scalar of schema.graphql travels as a string. A new
        // scalar fails generation until it is mapped here (JSON-like: "unknown").
        scalars: {
          Date: "string",
          DateTime: "string",
          Decimal: "string",
        },
        strictScalars: true,
        enumsAsTypes: true,
        useTypeImports: true,
      },
    },
  },
};

export default config;
