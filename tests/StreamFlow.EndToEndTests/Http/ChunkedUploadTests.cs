using System.Net;
using System.Net.Http.Headers;
using StreamFlow.EndToEndTests.Identity;

namespace StreamFlow.EndToEndTests.Http;

/// <summary>Upload limits hold while the body streams in, also when it is chunked and announces no length (issue #12).</summary>
[Collection(HostCollection.Name)]
public sealed class ChunkedUploadTests(HostFixture fixture)
{
    [Theory]
    [InlineData("/api/v1/leads/import", "text/csv", 50)]
    [InlineData("/api/v1/rfps", "application/pdf", 25)]
    public async Task A_chunked_body_over_the_routes_limit_is_a_413(string path, string contentType, int limitMegabytes)
    {
        var tenant = await Tenants.CreateAsync(fixture);
        var request = HostFixture.Authorized(HttpMethod.Post, path, tenant.OwnerToken);
        request.Content = new StreamContent(new EndlessLines((limitMegabytes + 2) * 1024L * 1024));
        request.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        request.Headers.TransferEncodingChunked = true;

        using var response = await fixture.Client.SendAsync(request);

        Assert.Null(request.Content.Headers.ContentLength);
        await PlatformEndpointTests.AssertProblemAsync(response, HttpStatusCode.RequestEntityTooLarge);
    }

    /// <summary>A body of unknown length: repeated CSV lines, produced as they are read.</summary>
    private sealed class EndlessLines(long total) : Stream
    {
        private static readonly byte[] Line = "Prospect,Reference,0\n"u8.ToArray();
        private long _sent;

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => _sent; set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count)
        {
            var n = (int)Math.Min(count, total - _sent);
            for (var i = 0; i < n; i++)
            {
                buffer[offset + i] = Line[(_sent + i) % Line.Length];
            }

            _sent += n;
            return n;
        }

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
