import { queryCollection } from "./src/index.ts";
const users = [
  { _id: "1", sn: "Jensen", roles: [{ _refResourceId: "helpdesk" }] },
  { _id: "2", sn: "anders", roles: [{ _refResourceId: "admin" }, { _refResourceId: "helpdesk" }] },
  { _id: "3", sn: "Carter", roles: [] },
];
const page = queryCollection(users, "_queryFilter=/roles/_refResourceId eq 'HELPDESK'&_sortKeys=sn&_fields=sn");
console.log(page.result);
