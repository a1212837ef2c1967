// Layout extensions without bundled types: each registers itself with cytoscape.use().
declare module 'cytoscape-elk' {
  const ext: cytoscape.Ext;
  export default ext;
}
declare module 'cytoscape-fcose' {
  const ext: cytoscape.Ext;
  export default ext;
}
