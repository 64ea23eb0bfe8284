import { queryCollection, type QueryRequest, type QueryResponse } from "../src/index.js";
import { generateUsers, type SampleUser } from "../scripts/users.js";
import type { BenchSuite } from "./harness.js";

const COUNT = 100_000;
const PAGE = 100;

export const pagingSuite: BenchSuite = {
  name: "paging",
  title: "Query engine: walking every page of a sorted query",
  notes: `${COUNT.toLocaleString("en")} users, all matching \`/userName pr\`, sorted by \`sn,givenName,-loginCount\`. "one unpaged query" filters and sorts everything once; "walk every page" follows pagedResultsCookie through all ${COUNT / PAGE} pages of ${PAGE}; "naive: one page" is one page with the snapshot cache switched off, which re-filters and re-sorts the whole collection, as a naive engine does for every page.`,
  cases: () => {
    const users = generateUsers(COUNT, 11);
    const request: QueryRequest = {
      queryFilter: "/userName pr",
      sortKeys: [
        { field: ["sn"], descending: false },
        { field: ["givenName"], descending: false },
        { field: ["loginCount"], descending: true },
      ],
    };
    const walk = () => {
      let cookie: string | null = null;
      let pages = 0;
      do {
        const response: QueryResponse<SampleUser> = queryCollection(users, { ...request, pageSize: PAGE, ...(cookie === null ? {} : { pagedResultsCookie: cookie }) });
        cookie = response.pagedResultsCookie;
        pages++;
      } while (cookie !== null);
      if (pages !== COUNT / PAGE) throw new Error(`walked ${pages} pages`);
    };
    return [
      {
        label: `${COUNT / 1000}k matches, pages of ${PAGE}`,
        tasks: [
          { name: "one unpaged query", fn: () => queryCollection(users, request) },
          { name: `walk every page (${COUNT / PAGE} requests)`, fn: walk },
          { name: "naive: one page, re-filter and re-sort", fn: () => queryCollection(users, { ...request, pageSize: PAGE, pagedResultsOffset: 500 }, { cache: false }) },
        ],
      },
    ];
  },
  summary: (rows) => {
    const [unpaged, walk, naive] = rows.map((r) => r.hz);
    if (unpaged === undefined || walk === undefined || naive === undefined) return "";
    const pages = COUNT / PAGE;
    return `Walking all ${pages} pages costs ${(unpaged / walk).toFixed(2)}× one unpaged query. A naive engine pays a whole query for every page: about ${Math.round((pages * unpaged) / naive)}× one unpaged query for the walk (${pages} × the naive page's cost).`;
  },
};
