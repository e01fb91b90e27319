using System.Text;
using Microsoft.AspNetCore.Http;
using StreamFlow.Core.Kernel;
using StreamFlow.Functions.Http;

namespace StreamFlow.UnitTests.Http;

public sealed class RequestBodyTests
{
    private readonly RequestBody _body = new(new HttpLimits(MaxJsonBodyBytes: 64));

    private sealed record Sample(string? Name, int Count) : IValidatableRequest
    {
        public void Validate(ValidationErrors errors) => errors.Required("name", Name, 10);
    }

    [Fact]
    public async Task Valid_json_is_bound()
    {
        var result = await ReadAsync("""{"name":"Ada","count":3}""");

        Assert.True(result.Succeeded);
        Assert.Equal(new Sample("Ada", 3), result.Value);
    }

    [Fact]
    public async Task Wrong_content_type_is_415()
    {
        var result = await ReadAsync("""{"name":"Ada"}""", "text/plain");

        Assert.Equal(ProblemKind.UnsupportedMediaType, result.Problem!.Kind);
    }

    [Fact]
    public async Task Body_over_the_limit_is_413_even_without_content_length()
    {
        var result = await ReadAsync($$"""{"name":"{{new string('x', 100)}}"}""", contentLength: false);

        Assert.Equal(ProblemKind.PayloadTooLarge, result.Problem!.Kind);
    }

    [Fact]
    public async Task Empty_body_is_a_validation_problem()
    {
        var result = await ReadAsync("");

        Assert.Equal(ProblemKind.Validation, result.Problem!.Kind);
        Assert.Contains("empty", result.Problem.Errors!["$"][0], StringComparison.Ordinal);
    }

    [Fact]
    public async Task Malformed_json_names_the_position()
    {
        var result = await ReadAsync("""{"name": "Ada",""");

        Assert.Equal(ProblemKind.Validation, result.Problem!.Kind);
        Assert.Contains("not valid JSON", result.Problem.Errors!.Single().Value[0], StringComparison.Ordinal);
    }

    [Fact]
    public async Task Wrong_type_names_the_field()
    {
        var result = await ReadAsync("""{"name":"Ada","count":"three"}""");

        Assert.Equal(["has the wrong type."], result.Problem!.Errors!["count"]);
    }

    [Fact]
    public async Task Validation_reports_field_errors()
    {
        var result = await ReadAsync("""{"name":"a name that is far too long"}""");

        Assert.Equal(["must be at most 10 characters."], result.Problem!.Errors!["name"]);
    }

    [Fact]
    public async Task Json_null_is_refused()
    {
        var result = await ReadAsync("null");

        Assert.Equal(ProblemKind.Validation, result.Problem!.Kind);
    }

    [Fact]
    public async Task A_chunked_upload_over_the_cap_is_413_before_it_reaches_the_service()
    {
        var request = Upload(new byte[3 * 1024 * 1024], "text/csv", contentLength: false);

        var result = await _body.ReadFileAsync(request, new UploadRule("A CSV import", 2 * 1024 * 1024, ["text/csv"]), CancellationToken.None);

        Assert.Equal(ProblemKind.PayloadTooLarge, result.Problem!.Kind);
        Assert.Equal("A CSV import may be at most 2 MB.", result.Problem.Detail);
    }

    [Fact]
    public async Task An_upload_within_the_cap_is_handed_over_whole_and_seekable()
    {
        var content = Enumerable.Range(0, 1_500_000).Select(i => (byte)i).ToArray();
        var request = Upload(content, "text/csv; charset=utf-8", contentLength: false);

        var result = await _body.ReadFileAsync(request, new UploadRule("A CSV import", 2 * 1024 * 1024, ["text/csv"]), CancellationToken.None);

        Assert.True(result.Succeeded);
        Assert.True(result.Value.Content.CanSeek);
        using var copy = new MemoryStream();
        await result.Value.Content.CopyToAsync(copy);
        Assert.Equal(content, copy.ToArray());
    }

    [Fact]
    public async Task An_upload_of_another_media_type_is_415()
    {
        var request = Upload("{}"u8.ToArray(), "application/json", contentLength: true);

        var result = await _body.ReadFileAsync(request, new UploadRule("A CSV import", 1024, ["text/csv"]), CancellationToken.None);

        Assert.Equal(ProblemKind.UnsupportedMediaType, result.Problem!.Kind);
    }

    [Fact]
    public async Task The_file_part_of_a_multipart_upload_is_read()
    {
        using var form = new MultipartFormDataContent { { new ByteArrayContent("%PDF-1.7"u8.ToArray()), "file", "rfp.pdf" } };
        form.First().Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/pdf");
        var request = Upload(await form.ReadAsByteArrayAsync(), form.Headers.ContentType!.ToString(), contentLength: false);

        var result = await _body.ReadFileAsync(request, new UploadRule("An RFP document", 1024, [], AcceptsMultipart: true), CancellationToken.None);

        Assert.Equal(("rfp.pdf", "application/pdf", 8L), (result.Value!.FileName, result.Value.ContentType, result.Value.Length));
    }

    private static HttpRequest Upload(byte[] content, string contentType, bool contentLength)
    {
        var context = new DefaultHttpContext();
        context.Request.ContentType = contentType;
        context.Request.Body = new MemoryStream(content);
        context.Request.ContentLength = contentLength ? content.Length : null;
        return context.Request;
    }

    private Task<Result<Sample>> ReadAsync(string json, string contentType = "application/json; charset=utf-8", bool contentLength = true)
    {
        var context = new DefaultHttpContext();
        var bytes = Encoding.UTF8.GetBytes(json);
        context.Request.ContentType = contentType;
        context.Request.Body = new MemoryStream(bytes);
        if (contentLength)
        {
            context.Request.ContentLength = bytes.Length;
        }

        return _body.ReadJsonAsync<Sample>(context.Request, CancellationToken.None);
    }
}
