// Start the mock CREST server on the bundled sample users and walk all active users in pages of 50.
// Run it with: npx tsx examples/walk-active-users.ts
import { queryPages } from "../src/index.js";
import { createMockServer } from "../src/node/index.js";

const server = await createMockServer({ collections: { user: new URL("./users.json", import.meta.url).pathname } });
try {
  let users = 0;
  for await (const page of queryPages<{ userName: string }>(`${server.url}/user`, {
    filter: "/accountStatus eq 'active'",
    sortKeys: ["userName"],
    fields: ["userName"],
    pageSize: 50,
    totalPagedResultsPolicy: "EXACT",
  })) {
    users += page.resultCount;
    if (page.pageNumber === 1) console.log(`${page.totalPagedResults} active users; the first is ${page.result[0]?.userName}`);
  }
  console.log(`walked ${users} users in ${server.requests.length} requests`);
} finally {
  await server.close();
}
