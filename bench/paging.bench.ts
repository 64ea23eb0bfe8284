import { compileFilter, parseFilter, queryCollection, sortResources, type QueryRequest, type QueryResponse } from "../dist/index.js";
import { generateUsers, type SampleUser } from "../scripts/users.js";
import type { BenchSuite } from "./harness.js";

const COUNT = 100_000;
const PAGE = 100;
const FIRST = 20;

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
    const matches = compileFilter(parseFilter(String(request.queryFilter)));
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
      {
        label: `first sorted page of ${FIRST}`,
        tasks: [
          { name: `first page (_pageSize=${FIRST})`, fn: () => queryCollection(users, { ...request, pageSize: FIRST }, { cache: false }) },
          { name: "filter, then a full sort of the matches", fn: () => sortResources(users.filter(matches), request.sortKeys ?? []) },
        ],
      },
    ];
  },
  summary: (rows) => {
    const [unpaged, walk, naive, first, fullSort] = rows.map((r) => r.hz);
    if (unpaged === undefined || walk === undefined || naive === undefined || first === undefined || fullSort === undefined) return "";
    const pages = COUNT / PAGE;
    const walkRatio = unpaged / walk;
    const firstRatio = fullSort / first;
    return [
      `Walking all ${pages} pages costs ${walkRatio.toFixed(2)}× one unpaged query (goal ≤ 1.1×${walkRatio <= 1.1 ? ", met" : ", not met"}). A naive engine pays a whole query for every page: about ${Math.round((pages * unpaged) / naive)}× one unpaged query for the walk (${pages} × the naive page's cost).`,
      `The first sorted page of ${FIRST} costs ${firstRatio.toFixed(2)}× filtering and fully sorting the matches (goal ≤ 0.5×${firstRatio <= 0.5 ? ", met" : ", not met"}).`,
    ].join("\n\n");
  },
};
