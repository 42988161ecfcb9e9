using System.Text.RegularExpressions;
using PrototxtLsp.Core.Diagnostics;
using PrototxtLsp.Tests.Infrastructure;

namespace PrototxtLsp.Tests;

public class CatalogTests
{
    [Fact]
    public void Codes_are_unique_and_well_formed()
    {
        var codes = DiagnosticCatalog.All.Select(d => d.Code).ToList();
        Assert.Equal(codes.Count, codes.Distinct().Count());
        Assert.All(codes, c => Assert.Matches(@"^PTX[1-5]\d{3}$", c));
    }

    [Fact]
    public void Every_code_is_documented_in_the_readme_with_its_severity_and_title()
    {
        var readme = File.ReadAllText(Path.Combine(TestPaths.RepoRoot, "README.md"));
        foreach (var d in DiagnosticCatalog.All)
        {
            var row = new Regex($@"^\| <a id=""{d.DocsAnchor}""></a>{d.Code} \| {d.Severity.ToString().ToLowerInvariant()} \| {Regex.Escape(d.Title)} \|", RegexOptions.Multiline);
            Assert.True(row.IsMatch(readme), $"README.md lacks the row for {d.Code} ({d.Severity}, {d.Title})");
        }
    }
}
