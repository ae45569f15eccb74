// Stand-in for Node built-ins that browser bundles import but never call in a page.
export default {};
